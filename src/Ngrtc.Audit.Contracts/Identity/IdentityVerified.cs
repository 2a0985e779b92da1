using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.Identity;

/// <summary>WT1: the terminating side verified a PASSporT (RFC 8224/8225/8588).</summary>
[Description("The verification service checked a PASSporT of an incoming call (RFC 8224, 8225, 8588; delegate certificates RFC 9060): the result and why, never the PASSporT.")]
[AuditEventType(Type, RetentionClass.A, ProcessingActivities.ThirdPartyIdentityAssurance, Emitter = "verification service, ingress IBCF or terminating IMS AS")]
public sealed record IdentityVerified(
    [property: Description("SHA-256 (hex) of the compact PASSporT, as the signing event carries it; empty results (no-identity) send the hash of the empty string.")]
    string PassportHash,
    [property: Description("The verification result.")]
    [property: AllowedValues("valid", "invalid-signature", "stale", "cert-error", "delegate-scope-error", "no-identity")]
    string Result,
    [property: Description("The PASSporT's orig: the calling number.")]
    [property: PersonalData(PersonalDataCategories.TelUri, PersonRole.Caller)]
    string Orig,
    [property: Description("The PASSporT's dest: the called number.")]
    [property: PersonalData(PersonalDataCategories.TelUri, PersonRole.Callee)]
    string Dest,
    [property: Description("The SIP reason code answered or logged (RFC 8224 clause 6.2.2), e.g. 403 for stale.")]
    string? ReasonCode = null,
    [property: Description("Seconds between the PASSporT's iat and verification.")]
    int? IatAgeSeconds = null,
    [property: Description("SHAKEN origination id (origid); also the event's correlationid.")]
    string? OrigId = null) : IAuditEventData
{
    public const string Type = "ngrtc.identity.verified.v1";

    public static AuditEventExample Example => new(
        "IBCF",
        "ibcf-eu1-01",
        "dpv:FraudPreventionAndDetection",
        "legal-obligation",
        new IdentityVerified(
            "e3b7a1c5d9f2e4a6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a2b4c6d8e0f2a4",
            "valid",
            "tel:+491555002001",
            "tel:+491555005678",
            IatAgeSeconds: 2,
            OrigId: "4c9e2a71-0b3d-4f58-9a6e-d1c7b2f08e35"))
    {
        CorrelationId = "4c9e2a71-0b3d-4f58-9a6e-d1c7b2f08e35",
    };
}
