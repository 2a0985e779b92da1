using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.Identity;

/// <summary>WT1: an enterprise's delegate certificate was issued, revoked or expired (RFC 9060).</summary>
[Description("The operator's PKI issued, revoked or saw expire an enterprise's delegate certificate (RFC 9060) for the numbers it may sign for.")]
[AuditEventType(Type, RetentionClass.A, ProcessingActivities.ThirdPartyIdentityAssurance, Emitter = "operator PKI")]
public sealed record DelegateCertificateChanged(
    [property: Description("The enterprise the certificate was delegated to.")]
    string EnterpriseId,
    [property: Description("SHA-256 (hex) fingerprint of the certificate.")]
    string CertFingerprint,
    [property: Description("What happened to the certificate.")]
    [property: AllowedValues("issued", "revoked", "expired")]
    string Change,
    [property: Description("The telephone number ranges or service provider codes (TNAuthList) the certificate covers: the enterprise's, not a person's.")]
    IReadOnlyList<string> NumberScope,
    [property: Description("The end of the certificate's validity (notAfter).")]
    DateTimeOffset? NotAfter = null,
    [property: Description("The enterprise's contact person for the certificate.")]
    [property: PersonalData(PersonalDataCategories.ContactPerson, PersonRole.Employee)]
    string? ContactPerson = null) : IAuditEventData
{
    public const string Type = "ngrtc.identity.delegate-cert-changed.v1";

    public static AuditEventExample Example => new(
        "PKI",
        "pki-eu1-01",
        "dpv:FraudPreventionAndDetection",
        "legal-obligation",
        new DelegateCertificateChanged(
            "ent-acme-logistics",
            "7d3f9b1e5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b",
            "issued",
            ["+4915550020"],
            NotAfter: new DateTimeOffset(2027, 11, 28, 0, 0, 0, TimeSpan.Zero),
            ContactPerson: "pki-contact@acme-logistics.example.org"));
}
