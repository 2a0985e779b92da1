using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.Exposure;

/// <summary>WT3: subscriber data went to a DC AS application — the GDPR Art 15 "recipients" record.</summary>
[Description("Subscriber data went to a DC AS application under an event exposure subscription: the GDPR Art 15 \"recipients\" record the exposure register is built from.")]
[AuditEventType(Type, RetentionClass.A, ProcessingActivities.DataChannelExposure, Emitter = "IMS AS or NEF (event exposure notification)")]
public sealed record ExposureDisclosed(
    [property: Description("The event exposure subscription the disclosure was made under.")]
    string SubscriptionId,
    [property: Description("The exposed IMS event.")]
    [property: AllowedValues("BOOTSTRAP_DC_ESTABLISHED", "BOOTSTRAP_DC_RELEASED", "APP_DC_ESTABLISHED", "APP_DC_RELEASED", "APP_DC_INTERWORKING")]
    string EventType,
    [property: Description("The recipient: the DC AS application's id.")]
    string Recipient,
    [property: Description("The categories of data disclosed, e.g. session-event, dc-stream-info, media-info, location-cell.")]
    IReadOnlyList<string> DataCategories,
    [property: Description("The subscriber the disclosed data is about (IMPU or GPSI).")]
    [property: PersonalData(PersonalDataCategories.Impu, PersonRole.Target)]
    string Subject) : IAuditEventData
{
    public const string Type = "ngrtc.exposure.disclosed.v1";

    public static AuditEventExample Example => new(
        "IMSAS",
        "imsas-eu1-02",
        "dpv:ServiceProvision",
        "consent",
        new ExposureDisclosed(
            "sub-0042",
            "APP_DC_ESTABLISHED",
            "dcas-remote-assist",
            ["session-event", "dc-stream-info"],
            "tel:+491555001234"))
    {
        CorrelationId = "icid-7c1e4a90",
    };
}
