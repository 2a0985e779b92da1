using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.Identity;

/// <summary>WT1: the terminating side verified a PASSporT (RFC 8224/8225/8588).</summary>
[AuditEventType(Type, RetentionClass.A, "third-party-identity-assurance")]
public sealed record IdentityVerified(
    string PassportHash,
    [property: AllowedValues("valid", "invalid-signature", "stale", "cert-error", "delegate-scope-error", "no-identity")]
    string Result,
    [property: PersonalData("tel-uri", PersonRole.Caller)] string Orig,
    [property: PersonalData("tel-uri", PersonRole.Callee)] string Dest,
    string? ReasonCode = null,
    int? IatAgeSeconds = null,
    string? OrigId = null)
{
    public const string Type = "ngrtc.identity.verified.v1";
}
