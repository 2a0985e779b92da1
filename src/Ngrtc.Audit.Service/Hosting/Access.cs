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

    /// <summary>Signed tree heads, proofs and the verification status of the tenant's log: privacy-officer, regulator, admin.</summary>
    public const string IntegrityRead = "integrity-read";

    /// <summary>
    /// Consent decisions: privacy-officer or admin (by pseudonym), or an emitter whose token grants
    /// <see cref="AccessScopes.ConsentDecide"/> (it may also ask by identifier).
    /// </summary>
    public const string ConsentDecision = "consent-decision";
}

/// <summary>
/// The claims a bearer token carries (JWT claim names, taken as they are: no inbound claim mapping). Every token
/// names a <see cref="Tenant"/>; an emitter's also its NF instance (<see cref="Source"/>), a regulator's its
/// <see cref="Jurisdiction"/>.
/// </summary>
public static class AccessClaims
{
    /// <summary>Who: the person's (or NF's) id at the identity provider; recorded with every read.</summary>
    public const string Subject = "sub";

    /// <summary>One or more of <see cref="Roles"/> (a string or a JSON array).</summary>
    public const string Roles = "roles";

    /// <summary>The operator whose data the token may touch; decides tenant isolation on every endpoint.</summary>
    public const string Tenant = "tenant";

    /// <summary>An emitter's NF instance, exactly the CloudEvent <c>source</c> it may send as.</summary>
    public const string Source = "source";

    /// <summary>OAuth scopes, space-separated (RFC 8693 §4.2): rights granted beyond a role, see <see cref="AccessScopes"/>.</summary>
    public const string Scope = "scope";

    /// <summary>A regulator's jurisdiction (e.g. <c>DE</c>); compared with the tenant's configured one.</summary>
    public const string Jurisdiction = "jurisdiction";
}

/// <summary>The header a person states the purpose of a read in (required on every read by a person).</summary>
public static class AccessHeaders
{
    public const string Purpose = "X-Purpose";
}

/// <summary>
/// A read endpoint's response that knows how many rows it returned; the audit of the auditor records that
/// number with each access (responses that don't implement it count as one row).
/// </summary>
public interface ICountedResult
{
    int Rows { get; }
}

/// <summary>Rights a token may carry in its <c>scope</c> claim.</summary>
public static class AccessScopes
{
    /// <summary>
    /// An emitter (a network function that must check consent before processing, e.g. an IMS AS or a NEF) may ask
    /// the consent decision point, and may name the subject by identifier: it holds the identifier anyway.
    /// </summary>
    public const string ConsentDecide = "consent.decide";

    public static bool Has(this System.Security.Claims.ClaimsPrincipal user, string scope) =>
        user.FindAll(AccessClaims.Scope).Any(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(scope, StringComparer.Ordinal));

    /// <summary>An emitter granted <see cref="ConsentDecide"/>: the only caller that may name a subject by identifier.</summary>
    public static bool MayDecideByIdentifier(this System.Security.Claims.ClaimsPrincipal user) =>
        user.RolesOf().Contains(Roles.Emitter) && user.Has(ConsentDecide);
}
