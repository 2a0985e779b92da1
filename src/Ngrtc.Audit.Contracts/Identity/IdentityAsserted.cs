using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.Identity;

/// <summary>WT1: the originating network checked a third-party identity an enterprise asserted for a call (TS 23.228 Annex AF).</summary>
[Description("The originating IMS AS or IBCF checked the third-party specific user identity an enterprise asserted for an outgoing call against its binding (TS 23.228 Annex AF).")]
[AuditEventType(Type, RetentionClass.A, ProcessingActivities.ThirdPartyIdentityAssurance, Emitter = "originating IMS AS or IBCF")]
public sealed record IdentityAsserted(
    [property: Description("How the enterprise reached the network.")]
    [property: AllowedValues("sip-trunk", "registration")]
    string AccessMode,
    [property: Description("Whether the identity was accepted for the call.")]
    [property: AllowedValues("asserted", "rejected")]
    string Result,
    [property: Description("The asserted third-party specific user identity.")]
    [property: PersonalData(PersonalDataCategories.ThirdPartyId, PersonRole.Employee)]
    string ThirdPartyId,
    [property: Description("The IMPU the call came from.")]
    [property: PersonalData(PersonalDataCategories.Impu, PersonRole.Employee)]
    string Impu,
    [property: Description("The enterprise SIP trunk, for sip-trunk access.")]
    string? TrunkId = null,
    [property: Description("The binding that matched, when one did.")]
    string? BindingId = null,
    [property: Description("Why it was rejected, e.g. no-binding, binding-removed, trunk-mismatch.")]
    string? Cause = null) : IAuditEventData
{
    public const string Type = "ngrtc.identity.asserted.v1";

    public static AuditEventExample Example => new(
        "IMSAS",
        "imsas-eu1-02",
        "dpv:ServiceProvision",
        "contract",
        new IdentityAsserted(
            "sip-trunk",
            "asserted",
            "anna.schmidt@acme-logistics.example.org",
            "sip:+491555002001@ims.example.org",
            TrunkId: "trunk-acme-01",
            BindingId: "bind-0815"))
    {
        CorrelationId = "4c9e2a71-0b3d-4f58-9a6e-d1c7b2f08e35",
    };
}
