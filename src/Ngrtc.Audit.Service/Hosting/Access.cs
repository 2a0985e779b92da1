namespace Ngrtc.Audit.Service.Hosting;

/// <summary>The roles a bearer token may carry (claim <c>roles</c>), as the privacy officers' API (issue 6) names them.</summary>
public static class Roles
{
    /// <summary>A network function: may only ingest, and only as the NF instance (<c>source</c>) in its token.</summary>
    public const string Emitter = "emitter";

    /// <summary>Reads registers, consent, violations, retention schedule and ROPA of its tenant.</summary>
    public const string PrivacyOfficer = "privacy-officer";

    /// <summary>May decrypt one subject's data, stating a justification.</summary>
    public const string Reidentifier = "reidentifier";

    /// <summary>Exports of its own jurisdiction only.</summary>
    public const string Regulator = "regulator";

    /// <summary>Policy, legal holds, keys, jobs and the Hangfire dashboard.</summary>
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Emitter, PrivacyOfficer, Reidentifier, Regulator, Admin];
}

/// <summary>The authorization policies endpoints require (<c>.RequireAuthorization(AccessPolicies.X)</c>).</summary>
public static class AccessPolicies
{
    /// <summary>Role emitter.</summary>
    public const string Ingest = "ingest";

    /// <summary>Role privacy-officer (admin too).</summary>
    public const string PrivacyRead = "privacy-read";

    /// <summary>Role reidentifier.</summary>
    public const string Reidentify = "reidentify";

    /// <summary>Role regulator.</summary>
    public const string RegulatorExport = "regulator-export";

    /// <summary>Role admin.</summary>
    public const string Admin = "admin";
}

/// <summary>
/// A read endpoint's response that knows how many rows it returned; the audit of the auditor records that
/// number with each access (responses that don't implement it count as one row).
/// </summary>
public interface ICountedResult
{
    int Rows { get; }
}
