using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.Consent;

/// <summary>The operator's consent service recorded a consent.</summary>
[Description("The operator's consent service recorded a subscriber's consent to a purpose, optionally for one recipient (GDPR Art 7).")]
[AuditEventType(Type, RetentionClass.C, ProcessingActivities.ConsentManagement, Emitter = "the operator's consent service")]
public sealed record ConsentGiven(
    [property: Description("The purpose consented to (DPV code, e.g. dpv:ServiceProvision).")]
    string Purpose,
    [property: Description("The version of the privacy notice shown.")]
    string NoticeVersion,
    [property: Description("Where the consent was given.")]
    [property: AllowedValues("app", "web", "ivr", "retail", "contract")]
    string Channel,
    [property: Description("The person who consented (IMPU).")]
    [property: PersonalData(PersonalDataCategories.Impu, PersonRole.Subject)]
    string Subject,
    [property: Description("The recipient the consent is limited to, e.g. a DC AS application.")]
    string? Recipient = null,
    [property: Description("What the consent covers beyond the purpose, e.g. a data category.")]
    string? Scope = null,
    [property: Description("When the consent ends.")]
    DateTimeOffset? Expiry = null) : IAuditEventData
{
    public const string Type = "ngrtc.consent.given.v1";

    public static AuditEventExample Example => new(
        "CONSENT",
        "consent-svc-1",
        "dpv:ServiceProvision",
        "legal-obligation",
        new ConsentGiven(
            "dpv:ServiceProvision",
            "notice-2026-09",
            "app",
            "tel:+491555001234",
            Recipient: "dcas-remote-assist",
            Scope: "session-event",
            Expiry: new DateTimeOffset(2027, 11, 28, 0, 0, 0, TimeSpan.Zero)));
}
