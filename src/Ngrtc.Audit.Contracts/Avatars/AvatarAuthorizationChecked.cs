using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.Avatars;

/// <summary>WT2: an IMS AS or DC AS checked that a user may present an avatar.</summary>
[Description("An IMS AS or DC AS checked that a user may present an avatar in a call (TS 26.264, TS 23.228 Annex AG).")]
[AuditEventType(Type, RetentionClass.A, ProcessingActivities.AvatarCommunication, Emitter = "IMS AS or DC AS")]
public sealed record AvatarAuthorizationChecked(
    [property: Description("The decision.")]
    [property: AllowedValues("authorized", "denied")]
    string Result,
    [property: Description("The user (IMPU) who wants to use the avatar.")]
    [property: PersonalData(PersonalDataCategories.Impu, PersonRole.User)]
    string User,
    [property: Description("The avatar.")]
    [property: PersonalData(PersonalDataCategories.AvatarId, PersonRole.User)]
    string AvatarId,
    [property: Description("Why it was denied, e.g. not-owner, avatar-revoked, untrusted-bar.")]
    string? Cause = null) : IAuditEventData
{
    public const string Type = "ngrtc.avatar.authorization-checked.v1";

    public static AuditEventExample Example => new(
        "DCAS",
        "dcas-eu1-03",
        "dpv:ServiceProvision",
        "contract",
        new AvatarAuthorizationChecked("authorized", "sip:+491555001234@ims.example.org", "avatar-017"))
    {
        CorrelationId = "icid-7c1e4a90",
    };
}
