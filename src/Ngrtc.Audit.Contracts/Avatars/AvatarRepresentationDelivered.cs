using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.Avatars;

/// <summary>WT2: an avatar representation was delivered for rendering (TS 26.264).</summary>
[Description("The BAR or MF delivered an avatar representation for rendering at the sender, the receiver or in the network (TS 26.264): its hash and size, never the model or animation.")]
[AuditEventType(Type, RetentionClass.T0, ProcessingActivities.AvatarCommunication, Emitter = "BAR or MF")]
public sealed record AvatarRepresentationDelivered(
    [property: Description("Where the avatar is rendered.")]
    [property: AllowedValues("sender", "receiver", "network")]
    string RenderingMode,
    [property: Description("SHA-256 (hex) of the delivered representation.")]
    string ContentHash,
    [property: Description("Size of the delivered representation in bytes.")]
    long SizeBytes,
    [property: Description("The NF that received it (instance id or type), e.g. the MF that renders.")]
    string DestinationNf,
    [property: Description("The avatar delivered; identifies its owner.")]
    [property: PersonalData(PersonalDataCategories.AvatarId, PersonRole.Owner)]
    string AvatarId,
    [property: Description("The user (IMPU) it was delivered for.")]
    [property: PersonalData(PersonalDataCategories.Impu, PersonRole.User)]
    string Recipient) : IAuditEventData
{
    public const string Type = "ngrtc.avatar.representation-delivered.v1";

    public static AuditEventExample Example => new(
        "BAR",
        "bar-eu1-01",
        "dpv:ServiceProvision",
        "contract",
        new AvatarRepresentationDelivered(
            "receiver",
            "0c2e4a6b8d0f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c",
            48_213,
            "mf-eu1-02",
            "avatar-017",
            "sip:+491555005678@ims.example.org"))
    {
        CorrelationId = "icid-7c1e4a90",
    };
}
