using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.Identity;

/// <summary>WT1: the originating side signed a PASSporT for a call (RFC 8224/8225/8588, RFC 9795).</summary>
[Description("The authentication service signed a PASSporT for an outgoing call (RFC 8224, 8225, 8588; RCD RFC 9795; delegate certificates RFC 9060): its hash and claims, never the PASSporT or RCD values.")]
[AuditEventType(Type, RetentionClass.A, ProcessingActivities.ThirdPartyIdentityAssurance, Emitter = "AS for signing, TAS or egress IBCF")]
public sealed record IdentitySigned(
    [property: Description("SHA-256 (hex) of the compact PASSporT; verification events carry the same hash.")]
    string PassportHash,
    [property: Description("The PASSporT's iat claim.")]
    DateTimeOffset IssuedAt,
    [property: Description("SHA-256 (hex) fingerprint of the signing certificate.")]
    string SignerCertFingerprint,
    [property: Description("Whether a delegate certificate (RFC 9060) signed it.")]
    bool DelegateCertUsed,
    [property: Description("The PASSporT's orig: the calling number.")]
    [property: PersonalData(PersonalDataCategories.TelUri, PersonRole.Caller)]
    string Orig,
    [property: Description("The PASSporT's dest: the called number.")]
    [property: PersonalData(PersonalDataCategories.TelUri, PersonRole.Callee)]
    string Dest,
    [property: Description("The PASSporT extension (ppt); absent for a base PASSporT.")]
    [property: AllowedValues("shaken", "rcd", "div", "div-o")]
    string? Ppt = null,
    [property: Description("SHAKEN attestation level.")]
    [property: AllowedValues("A", "B", "C")]
    string? Attest = null,
    [property: Description("SHAKEN origination id (origid); also the event's correlationid.")]
    string? OrigId = null,
    [property: Description("The x5u URL of the signing certificate (an operator's or enterprise's repository, not a person).")]
    string? X5u = null,
    [property: Description("The names of the RCD claims present (e.g. nam, jcd, icn, crn); never their values.")]
    IReadOnlyList<string>? RcdClaimNames = null) : IAuditEventData
{
    public const string Type = "ngrtc.identity.signed.v1";

    public static AuditEventExample Example => new(
        "TAS",
        "tas-eu1-03",
        "dpv:FraudPreventionAndDetection",
        "legal-obligation",
        new IdentitySigned(
            "e3b7a1c5d9f2e4a6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a2b4c6d8e0f2a4",
            new DateTimeOffset(2026, 11, 28, 10, 14, 58, TimeSpan.Zero),
            "7d3f9b1e5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b",
            true,
            "tel:+491555002001",
            "tel:+491555005678",
            Ppt: "rcd",
            Attest: "A",
            OrigId: "4c9e2a71-0b3d-4f58-9a6e-d1c7b2f08e35",
            X5u: "https://cert.example.org/acme-logistics/delegate.pem",
            RcdClaimNames: ["nam", "jcd"]))
    {
        CorrelationId = "4c9e2a71-0b3d-4f58-9a6e-d1c7b2f08e35",
    };
}
