using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.Exposure;

/// <summary>WT3: subscriber data went to a DC AS application — the GDPR Art 15 "recipients" record.</summary>
[AuditEventType(Type, RetentionClass.A, "data-channel-exposure")]
public sealed record ExposureDisclosed(
    string SubscriptionId,
    [property: AllowedValues("BOOTSTRAP_DC_ESTABLISHED", "BOOTSTRAP_DC_RELEASED", "APP_DC_ESTABLISHED", "APP_DC_RELEASED", "APP_DC_INTERWORKING")]
    string EventType,
    string Recipient,
    IReadOnlyList<string> DataCategories,
    [property: PersonalData("impu", PersonRole.Target)] string Subject)
{
    public const string Type = "ngrtc.exposure.disclosed.v1";
}
