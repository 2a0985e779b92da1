using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.Identity;

/// <summary>WT1: the terminating network presented an identity to the called party.</summary>
[Description("The terminating IMS AS or P-CSCF presented the caller's identity to the called party: which kind, whether privacy applied, and which verification status the callee saw (RFC 3325, RFC 8224 verstat).")]
[AuditEventType(Type, RetentionClass.A, ProcessingActivities.ThirdPartyIdentityAssurance, Emitter = "terminating IMS AS or P-CSCF")]
public sealed record IdentityPresented(
    [property: Description("What was presented.")]
    [property: AllowedValues("third-party-id", "number", "anonymous")]
    string PresentedKind,
    [property: Description("Whether the caller's privacy request (RFC 3323/3325) was applied.")]
    bool PrivacyApplied,
    [property: Description("The called party.")]
    [property: PersonalData(PersonalDataCategories.Impu, PersonRole.Callee)]
    string Callee,
    [property: Description("The identity presented; absent when anonymous.")]
    [property: PersonalData(PersonalDataCategories.PresentedIdentity, PersonRole.Caller)]
    string? PresentedId = null,
    [property: Description("The verification status shown to the callee (the verstat parameter).")]
    [property: AllowedValues("TN-Validation-Passed", "TN-Validation-Failed", "No-TN-Validation")]
    string? VerificationStatus = null) : IAuditEventData
{
    public const string Type = "ngrtc.identity.presented.v1";

    public static AuditEventExample Example => new(
        "PCSCF",
        "pcscf-eu1-04",
        "dpv:ServiceProvision",
        "contract",
        new IdentityPresented(
            "third-party-id",
            false,
            "sip:+491555005678@ims.example.org",
            PresentedId: "anna.schmidt@acme-logistics.example.org",
            VerificationStatus: "TN-Validation-Passed"))
    {
        CorrelationId = "4c9e2a71-0b3d-4f58-9a6e-d1c7b2f08e35",
    };
}
