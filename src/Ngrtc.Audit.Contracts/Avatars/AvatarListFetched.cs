using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.Avatars;

/// <summary>WT2: a DC AS fetched a user's avatar list from the BAR (TS 26.264, TS 23.228 Annex AG).</summary>
[Description("A DC AS fetched the list of a user's avatars from the Base Avatar Repository (BAR) through the DCSF (TS 26.264, TS 23.228 Annex AG).")]
[AuditEventType(Type, RetentionClass.T0, ProcessingActivities.AvatarCommunication, Emitter = "DC AS (from the BAR, via the DCSF)")]
public sealed record AvatarListFetched(
    [property: Description("How the list reached the UE.")]
    [property: AllowedValues("preconfigured", "bootstrap-dc", "application-dc")]
    string DeliveryPath,
    [property: Description("Whether the BAR is in the operator's trust domain.")]
    [property: AllowedValues("trusted", "untrusted")]
    string BarDomain,
    [property: Description("How many avatars the list holds.")]
    int ListSize,
    [property: Description("The user (IMPU) whose list it is.")]
    [property: PersonalData(PersonalDataCategories.Impu, PersonRole.User)]
    string User,
    [property: Description("The avatar ids listed; absent when the list is empty.")]
    [property: PersonalData(PersonalDataCategories.AvatarId, PersonRole.User)]
    IReadOnlyList<string>? AvatarIds = null) : IAuditEventData
{
    public const string Type = "ngrtc.avatar.list-fetched.v1";

    public static AuditEventExample Example => new(
        "DCAS",
        "dcas-eu1-03",
        "dpv:ServiceProvision",
        "contract",
        new AvatarListFetched(
            "bootstrap-dc",
            "trusted",
            2,
            "sip:+491555001234@ims.example.org",
            AvatarIds: ["avatar-017", "avatar-018"]))
    {
        CorrelationId = "icid-7c1e4a90",
    };
}
