using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.Exposure;

/// <summary>WT3: an event exposure subscription of a DC AS was created, modified or deleted (Nimsas_ImsEE, Nhss_ImsEE).</summary>
[Description("An IMS event exposure subscription of a DC AS or AF was created, modified or deleted (Nimsas_ImsEE, Nhss_ImsEE, via the NEF): who may receive which events about whom, until when.")]
[AuditEventType(Type, RetentionClass.A, ProcessingActivities.DataChannelExposure, Emitter = "NEF, HSS or IMS AS (Nimsas_ImsEE, Nhss_ImsEE)")]
public sealed record ExposureSubscriptionChanged(
    [property: Description("The subscription's id; disclosures under it carry the same id.")]
    string SubscriptionId,
    [property: Description("What happened to the subscription.")]
    [property: AllowedValues("created", "modified", "deleted")]
    string Change,
    [property: Description("The consumer DC AS or AF (its AF id).")]
    string Consumer,
    [property: Description("The event types subscribed to, e.g. APP_DC_ESTABLISHED.")]
    IReadOnlyList<string> EventTypes,
    [property: Description("Whether the subscription names subscribers (targets) or covers a group or all.")]
    bool SubscriberSpecific,
    [property: Description("The service the subscription is held by.")]
    [property: AllowedValues("Nimsas_ImsEE", "Nhss_ImsEE", "Nnef_EventExposure")]
    string? Service = null,
    [property: Description("When the subscription expires.")]
    DateTimeOffset? Expiry = null,
    [property: Description("The subscribers the subscription names (IMPU or GPSI), when it is subscriber-specific.")]
    [property: PersonalData(PersonalDataCategories.Impu, PersonRole.Target)]
    IReadOnlyList<string>? Targets = null) : IAuditEventData
{
    public const string Type = "ngrtc.exposure.subscription-changed.v1";

    public static AuditEventExample Example => new(
        "IMSAS",
        "imsas-eu1-02",
        "dpv:ServiceProvision",
        "consent",
        new ExposureSubscriptionChanged(
            "sub-0042",
            "created",
            "dcas-remote-assist",
            ["BOOTSTRAP_DC_ESTABLISHED", "APP_DC_ESTABLISHED", "APP_DC_RELEASED"],
            true,
            Service: "Nimsas_ImsEE",
            Expiry: new DateTimeOffset(2027, 5, 28, 0, 0, 0, TimeSpan.Zero),
            Targets: ["tel:+491555001234", "tel:+491555005678"]))
    {
        CorrelationId = "nef-corr-51a0",
    };
}
