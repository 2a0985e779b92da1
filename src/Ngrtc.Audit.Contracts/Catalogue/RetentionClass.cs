using System.ComponentModel;

namespace Ngrtc.Audit.Contracts.Catalogue;

/// <summary>Retention classes of EVENTS.md; periods are policy, per jurisdiction.</summary>
public enum RetentionClass
{
    /// <summary>Transit traffic data, anonymised after 7 days by default.</summary>
    [Description("transit traffic data, anonymised after 7 days")]
    T0,

    /// <summary>Billing and disputes, 6 months.</summary>
    [Description("billing and disputes, 6 months")]
    T1,

    /// <summary>Accountability: authorisation decisions, disclosures, identity assurance; 24 months pseudonymised.</summary>
    [Description("accountability (authorisation decisions, disclosures, identity assurance), 24 months pseudonymised")]
    A,

    /// <summary>Consent: life of the consent plus 3 years.</summary>
    [Description("consent, the life of the consent plus 3 years")]
    C,

    /// <summary>NF-to-NF security, 12 months.</summary>
    [Description("NF-to-NF security, 12 months")]
    S,

    /// <summary>Incidents, data-subject requests, receipts: 5 years.</summary>
    [Description("incidents, data-subject requests, receipts, 5 years")]
    I,
}
