using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.Exposure;

/// <summary>WT3: a DC AS asked the NEF to manage a subscriber's IMS data channel session (Nnef_ImsSessionManagement).</summary>
[Description("A DC AS or AF asked the NEF to add, update or remove a data channel of a subscriber's IMS session, or to set up a standalone DC session (Nnef_ImsSessionManagement, TS 23.228 Annex AC); the NEF's authorisation of the request. The NEF correlation id goes in the correlationid attribute.")]
[AuditEventType(Type, RetentionClass.A, ProcessingActivities.DataChannelExposure, Emitter = "NEF (Nnef_ImsSessionManagement)")]
public sealed record ExposureSessionManagementRequested(
    [property: Description("The DC AS or AF that asked (its AF id).")]
    string Requester,
    [property: Description("What it asked for.")]
    [property: AllowedValues("add-dc", "update-dc", "remove-dc", "standalone-dc-session")]
    string Operation,
    [property: Description("Whether the NEF authorised the request.")]
    [property: AllowedValues("authorized", "denied")]
    string NefAuthorization,
    [property: Description("The subscriber whose session it concerns (IMPU or GPSI).")]
    [property: PersonalData(PersonalDataCategories.Impu, PersonRole.Target)]
    string Target,
    [property: Description("The DC application the data channel is for.")]
    string? DcApplicationId = null,
    [property: Description("Why the NEF denied it, when it did.")]
    string? Cause = null) : IAuditEventData
{
    public const string Type = "ngrtc.exposure.session-management-requested.v1";

    public static AuditEventExample Example => new(
        "NEF",
        "nef-eu1-01",
        "dpv:ServiceProvision",
        "consent",
        new ExposureSessionManagementRequested(
            "dcas-remote-assist",
            "add-dc",
            "authorized",
            "tel:+491555001234",
            DcApplicationId: "dcas-remote-assist"))
    {
        CorrelationId = "nef-corr-51a0",
    };
}
