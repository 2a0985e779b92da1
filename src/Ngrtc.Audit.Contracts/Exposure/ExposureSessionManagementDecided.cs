using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.Exposure;

/// <summary>WT3: the IMS AS decided a data channel session management request (Nimsas_ImsSessionManagement).</summary>
[Description("The IMS AS decided a data channel session management request relayed by the NEF (Nimsas_ImsSessionManagement): which checks passed and whether the subscriber was told who initiated it. Shares the request's correlationid.")]
[AuditEventType(Type, RetentionClass.A, ProcessingActivities.DataChannelExposure, Emitter = "IMS AS (Nimsas_ImsSessionManagement)")]
public sealed record ExposureSessionManagementDecided(
    [property: Description("The DC AS or AF that asked (its AF id).")]
    string Requester,
    [property: Description("What it asked for.")]
    [property: AllowedValues("add-dc", "update-dc", "remove-dc", "standalone-dc-session")]
    string Operation,
    [property: Description("The check that the subscriber subscribes to data channel services.")]
    [property: AllowedValues("passed", "failed", "not-checked")]
    string SubscriptionCheck,
    [property: Description("The check that the subscriber's UE supports data channels.")]
    [property: AllowedValues("passed", "failed", "not-checked")]
    string DcCapabilityCheck,
    [property: Description("The check of the subscriber's consent to this requester.")]
    [property: AllowedValues("passed", "failed", "not-checked")]
    string ConsentCheck,
    [property: Description("The decision.")]
    [property: AllowedValues("accepted", "rejected")]
    string Result,
    [property: Description("Whether the subscriber's UE was told which party initiated the data channel.")]
    bool InitiatorIndicationSent,
    [property: Description("The subscriber whose session it concerns (IMPU or GPSI).")]
    [property: PersonalData(PersonalDataCategories.Impu, PersonRole.Target)]
    string Target,
    [property: Description("Why it was rejected, when it was.")]
    string? RejectCause = null) : IAuditEventData
{
    public const string Type = "ngrtc.exposure.session-management-decided.v1";

    public static AuditEventExample Example => new(
        "IMSAS",
        "imsas-eu1-02",
        "dpv:ServiceProvision",
        "consent",
        new ExposureSessionManagementDecided(
            "dcas-remote-assist",
            "add-dc",
            "passed",
            "passed",
            "passed",
            "accepted",
            true,
            "sip:+491555001234@ims.example.org"))
    {
        CorrelationId = "nef-corr-51a0",
    };
}
