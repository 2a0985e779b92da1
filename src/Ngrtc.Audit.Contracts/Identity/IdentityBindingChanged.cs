using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.Identity;

/// <summary>WT1: a third-party specific user identity was bound to, or unbound from, an IMPU (TS 23.228 Annex AF).</summary>
[Description("A third-party specific user identity (e.g. an enterprise employee's) was bound to or unbound from an IMPU of the enterprise (TS 23.228 Annex AF).")]
[AuditEventType(Type, RetentionClass.A, ProcessingActivities.ThirdPartyIdentityAssurance,
    Emitter = "provisioning or IMS AS",
    RetentionNote = "kept for the binding's life, then as class A")]
public sealed record IdentityBindingChanged(
    [property: Description("The enterprise the identity belongs to.")]
    string EnterpriseId,
    [property: Description("The binding's id; assertions name it.")]
    string BindingId,
    [property: Description("What happened to the binding.")]
    [property: AllowedValues("created", "removed")]
    string Change,
    [property: Description("Where the change came from.")]
    [property: AllowedValues("operator-provisioning", "enterprise-portal", "registration")]
    string Origin,
    [property: Description("The third-party specific user identity.")]
    [property: PersonalData(PersonalDataCategories.ThirdPartyId, PersonRole.Employee)]
    string ThirdPartyId,
    [property: Description("The IMPU it is bound to.")]
    [property: PersonalData(PersonalDataCategories.Impu, PersonRole.Employee)]
    string Impu,
    [property: Description("The enterprise SIP trunk the identity is used over, if any.")]
    string? TrunkId = null) : IAuditEventData
{
    public const string Type = "ngrtc.identity.binding-changed.v1";

    public static AuditEventExample Example => new(
        "IMSAS",
        "imsas-eu1-02",
        "dpv:ServiceProvision",
        "contract",
        new IdentityBindingChanged(
            "ent-acme-logistics",
            "bind-0815",
            "created",
            "enterprise-portal",
            "anna.schmidt@acme-logistics.example.org",
            "sip:+491555002001@ims.example.org",
            TrunkId: "trunk-acme-01"));
}
