using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.Consent;

/// <summary>The operator's consent service recorded that a consent was withdrawn.</summary>
[Description("The operator's consent service recorded that a subscriber withdrew a consent (GDPR Art 7(3)); processing under it must stop.")]
[AuditEventType(Type, RetentionClass.C, ProcessingActivities.ConsentManagement, Emitter = "the operator's consent service")]
public sealed record ConsentWithdrawn(
    [property: Description("The purpose whose consent was withdrawn (DPV code).")]
    string Purpose,
    [property: Description("The version of the privacy notice in force.")]
    string NoticeVersion,
    [property: Description("Where the withdrawal was made.")]
    [property: AllowedValues("app", "web", "ivr", "retail", "contract")]
    string Channel,
    [property: Description("The person who withdrew (IMPU).")]
    [property: PersonalData(PersonalDataCategories.Impu, PersonRole.Subject)]
    string Subject,
    [property: Description("The recipient the withdrawn consent was limited to, if it was.")]
    string? Recipient = null) : IAuditEventData
{
    public const string Type = "ngrtc.consent.withdrawn.v1";

    public static AuditEventExample Example => new(
        "CONSENT",
        "consent-svc-1",
        "dpv:ServiceProvision",
        "legal-obligation",
        new ConsentWithdrawn("dpv:ServiceProvision", "notice-2026-09", "web", "tel:+491555001234", Recipient: "dcas-remote-assist"));
}
