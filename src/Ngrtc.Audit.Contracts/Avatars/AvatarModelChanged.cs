using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.Avatars;

/// <summary>WT2: an avatar model was created, updated or deleted in the BAR (Mbar_Management_Avatars).</summary>
[Description("An avatar model was created, updated or deleted in the BAR (Mbar_Management_Avatars, TS 26.264): the hash of its ARF container and whether it derives from biometric data (GDPR Art 9).")]
[AuditEventType(Type, RetentionClass.A, ProcessingActivities.AvatarCommunication,
    Emitter = "BAR (Mbar_Management_Avatars)",
    RetentionNote = "kept for the life of the avatar asset, then as class A")]
public sealed record AvatarModelChanged(
    [property: Description("What happened to the model.")]
    [property: AllowedValues("created", "updated", "deleted")]
    string Change,
    [property: Description("Whether the model derives from the owner's biometric data (face scan, voice): a GDPR Art 9 special category.")]
    bool BiometricDerived,
    [property: Description("The avatar.")]
    [property: PersonalData(PersonalDataCategories.AvatarId, PersonRole.Owner)]
    string AvatarId,
    [property: Description("The avatar's owner (IMPU).")]
    [property: PersonalData(PersonalDataCategories.Impu, PersonRole.Owner)]
    string Owner,
    [property: Description("SHA-256 (hex) of the ARF container; absent on deletion.")]
    string? ArfContainerHash = null) : IAuditEventData
{
    public const string Type = "ngrtc.avatar.model-changed.v1";

    public static AuditEventExample Example => new(
        "BAR",
        "bar-eu1-01",
        "dpv:ServiceProvision",
        "consent",
        new AvatarModelChanged(
            "created",
            true,
            "avatar-017",
            "sip:+491555001234@ims.example.org",
            ArfContainerHash: "1f3b5d7a9c1e3f5b7d9a1c3e5f7b9d1a3c5e7f9b1d3a5c7e9f1b3d5a7c9e1f3b"));
}
