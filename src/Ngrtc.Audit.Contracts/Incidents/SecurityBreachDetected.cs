using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.Incidents;

/// <summary>The SOC detected a personal data or security breach; the regulator clocks start.</summary>
[Description("The operator's SOC detected a personal data or security breach. The notification deadlines that apply run from detection: GDPR Art 33 (72 h), Reg. 611/2013 (24 h), NIS2 Art 23 (24 h early warning, 72 h notification, final report within a month).")]
[AuditEventType(Type, RetentionClass.I, ProcessingActivities.SecurityIncidentManagement, Emitter = "the operator's SOC")]
public sealed record SecurityBreachDetected(
    [property: Description("The SOC's incident id.")]
    string IncidentId,
    [property: Description("When the breach was detected: the regulator clocks start here.")]
    DateTimeOffset DetectedAt,
    [property: Description("The kind of breach (confidentiality, integrity or availability of data).")]
    [property: AllowedValues("confidentiality", "integrity", "availability")]
    string Category,
    [property: Description("The (estimated) number of people affected, once known.")]
    long? AffectedCount = null,
    [property: Description("The data categories affected, e.g. session-event, identity-binding.")]
    IReadOnlyList<string>? DataCategories = null,
    [property: Description("GDPR Art 33 deadline to notify the supervisory authority (detection + 72 h), when it applies.")]
    DateTimeOffset? GdprNotifyBy = null,
    [property: Description("Reg. (EU) 611/2013 deadline for an electronic communications provider (detection + 24 h), when it applies.")]
    DateTimeOffset? EprivacyNotifyBy = null,
    [property: Description("NIS2 Art 23 early warning deadline (detection + 24 h), when it applies.")]
    DateTimeOffset? Nis2EarlyWarningBy = null,
    [property: Description("NIS2 Art 23 incident notification deadline (detection + 72 h), when it applies.")]
    DateTimeOffset? Nis2NotificationBy = null,
    [property: Description("NIS2 Art 23 final report deadline (one month after the notification), when it applies.")]
    DateTimeOffset? Nis2FinalReportBy = null) : IAuditEventData
{
    public const string Type = "ngrtc.security.breach-detected.v1";

    public static AuditEventExample Example
    {
        get
        {
            var detected = new DateTimeOffset(2026, 11, 28, 10, 5, 0, TimeSpan.Zero);
            return new AuditEventExample(
                "SOC",
                "soc-1",
                "dpv:IncidentManagement",
                "legal-obligation",
                new SecurityBreachDetected(
                    "inc-2026-0113",
                    detected,
                    "confidentiality",
                    AffectedCount: 1_250,
                    DataCategories: ["session-event"],
                    GdprNotifyBy: detected.AddHours(72),
                    EprivacyNotifyBy: detected.AddHours(24),
                    Nis2EarlyWarningBy: detected.AddHours(24),
                    Nis2NotificationBy: detected.AddHours(72),
                    Nis2FinalReportBy: detected.AddHours(72).AddMonths(1)));
        }
    }
}
