namespace Ngrtc.Audit.Contracts.Catalogue;

/// <summary>Retention classes of EVENTS.md; periods are policy, per jurisdiction.</summary>
public enum RetentionClass
{
    /// <summary>Transit traffic data, anonymised after 7 days by default.</summary>
    T0,
    /// <summary>Billing and disputes, 6 months.</summary>
    T1,
    /// <summary>Accountability: authorisation decisions, disclosures, identity assurance; 24 months pseudonymised.</summary>
    A,
    /// <summary>Consent: life of the consent plus 3 years.</summary>
    C,
    /// <summary>NF-to-NF security, 12 months.</summary>
    S,
    /// <summary>Incidents, data-subject requests, receipts: 5 years.</summary>
    I,
}
