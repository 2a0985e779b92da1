using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.Avatars;

/// <summary>WT2: an IMS AS or DC AS checked that a user may present an avatar.</summary>
[AuditEventType(Type, RetentionClass.A, "avatar-communication")]
public sealed record AvatarAuthorizationChecked(
    [property: AllowedValues("authorized", "denied")] string Result,
    [property: PersonalData("impu", PersonRole.User)] string User,
    [property: PersonalData("avatar-id", PersonRole.User)] string AvatarId,
    string? Cause = null)
{
    public const string Type = "ngrtc.avatar.authorization-checked.v1";
}
