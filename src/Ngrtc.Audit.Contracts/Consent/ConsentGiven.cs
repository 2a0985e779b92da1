using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.Consent;

/// <summary>The operator's consent service recorded a consent.</summary>
[AuditEventType(Type, RetentionClass.C, "consent-management")]
public sealed record ConsentGiven(
    string Purpose,
    string NoticeVersion,
    [property: AllowedValues("app", "web", "ivr", "retail", "contract")] string Channel,
    [property: PersonalData("impu", PersonRole.Subject)] string Subject,
    string? Recipient = null,
    string? Scope = null,
    DateTimeOffset? Expiry = null)
{
    public const string Type = "ngrtc.consent.given.v1";
}
