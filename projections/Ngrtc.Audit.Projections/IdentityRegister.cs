using Ngrtc.Audit.Contracts.Identity;
using Ngrtc.Audit.Domain;
using Weasel.Core;
using Weasel.Postgresql.Tables;

namespace Ngrtc.Audit.Projections;

/// <summary>
/// The third-party identity assurance register (WT1), per enterprise and trunk (key <c>enterprise/trunk</c>,
/// trunk <c>-</c> for access by registration): assertions by result and rejection cause, signatures by
/// attestation, verifications by result and SIP reason code, presentations by kind and whether privacy was
/// applied, binding and delegate-certificate changes. Only the assertion and administration events name the
/// enterprise (by binding or trunk); the signing, verification and presentation events of the same call are
/// attributed through the call's correlation id (the PASSporT origid). A call whose assertion was never seen
/// counts under enterprise <c>unattributed</c>. Rows of <see cref="RegisterCountsProjection"/>, register <c>identity</c>.
/// </summary>
public static class IdentityRegister
{
    public const string Unattributed = "unattributed";
    public const string NoTrunk = "-";

    public const string BindingsTable = AuditRegisters.Schema + ".identity_bindings";
    public const string TrunksTable = AuditRegisters.Schema + ".identity_trunks";

    /// <summary>Per tenant and call (correlation id): the enterprise and trunk its assertion was attributed to.</summary>
    public const string CallsTable = AuditRegisters.Schema + ".identity_calls";

    public static class Metrics
    {
        public const string Assertions = "assertions";
        public const string AssertionRejections = "assertion-rejections";
        public const string Signatures = "signatures";
        public const string Verifications = "verifications";
        public const string VerificationReasons = "verification-reasons";
        public const string Presentations = "presentations";
        public const string PrivacyApplied = "privacy-applied";
        public const string Bindings = "bindings";
        public const string DelegateCertificates = "delegate-certificates";
    }

    public static string KeyOf(string enterprise, string? trunk) => $"{enterprise}/{(string.IsNullOrEmpty(trunk) ? NoTrunk : trunk)}";

    /// <summary>Splits a key at its last <c>/</c> into enterprise and trunk.</summary>
    public static (string Enterprise, string Trunk) Split(string key)
    {
        var slash = key.LastIndexOf('/');
        return slash < 0 ? (key, NoTrunk) : (key[..slash], key[(slash + 1)..]);
    }

    private const string RememberBinding =
        $"insert into {BindingsTable} (tenant_id, binding_id, enterprise_id, trunk_id) values (?, ?, ?, ?) " +
        "on conflict (tenant_id, binding_id) do update set enterprise_id = excluded.enterprise_id, trunk_id = excluded.trunk_id";

    private const string RememberTrunk =
        $"insert into {TrunksTable} (tenant_id, trunk_id, enterprise_id) values (?, ?, ?) " +
        "on conflict (tenant_id, trunk_id) do update set enterprise_id = excluded.enterprise_id";

    private const string AttributeCall =
        $"insert into {CallsTable} (tenant_id, correlation_id, enterprise_id, trunk_id) values (?, ?, coalesce(" +
        $"(select b.enterprise_id from {BindingsTable} b where b.tenant_id = ? and b.binding_id = ?), " +
        $"(select t.enterprise_id from {TrunksTable} t where t.tenant_id = ? and t.trunk_id = ?), '{Unattributed}'), ?) " +
        "on conflict (tenant_id, correlation_id) do update set enterprise_id = excluded.enterprise_id, trunk_id = excluded.trunk_id";

    /// <summary>
    /// One thing a recorded event does to the identity register, in the event's order: SQL that remembers a binding
    /// or trunk or attributes a call (<see cref="Attributes"/> names the call), a count under a known key, or a count
    /// under the key its call is attributed to.
    /// </summary>
    public abstract record Step
    {
        public sealed record Remember(string Sql, object[] Parameters, string? Attributes = null) : Step;

        public sealed record CountByKey(string Key, string Metric, string Label) : Step;

        public sealed record CountByCall(string Call, string Metric, string Label) : Step;
    }

    /// <summary>What one recorded event does to the identity register, in order (see <see cref="RegisterWrites"/>).</summary>
    public static IEnumerable<Step> Steps(string tenant, AuditEventRecorded e)
    {
        var data = e.Data;
        var call = e.Envelope.CorrelationId ?? RegisterFacts.Text(data, "origId") ?? $"event {e.Envelope.Source} {e.Envelope.Id}";

        switch (e.Envelope.Type)
        {
            case IdentityBindingChanged.Type when RegisterFacts.Text(data, "enterpriseId") is { } enterprise:
            {
                var binding = RegisterFacts.Text(data, "bindingId") ?? "";
                var trunk = RegisterFacts.Text(data, "trunkId");
                yield return new Step.Remember(RememberBinding, [tenant, binding, enterprise, trunk ?? NoTrunk]);
                if (trunk is not null)
                {
                    yield return new Step.Remember(RememberTrunk, [tenant, trunk, enterprise]);
                }

                yield return new Step.CountByKey(KeyOf(enterprise, trunk), Metrics.Bindings, RegisterFacts.Text(data, "change") ?? "");
                break;
            }

            case DelegateCertificateChanged.Type when RegisterFacts.Text(data, "enterpriseId") is { } enterprise:
                yield return new Step.CountByKey(KeyOf(enterprise, null), Metrics.DelegateCertificates, RegisterFacts.Text(data, "change") ?? "");
                break;

            case IdentityAsserted.Type:
            {
                var trunk = RegisterFacts.Text(data, "trunkId");
                yield return new Step.Remember(
                    AttributeCall, [tenant, call, tenant, RegisterFacts.Text(data, "bindingId") ?? "", tenant, trunk ?? "", trunk ?? NoTrunk], call);
                var result = RegisterFacts.Text(data, "result") ?? "";
                yield return new Step.CountByCall(call, Metrics.Assertions, result);
                if (result == "rejected")
                {
                    yield return new Step.CountByCall(call, Metrics.AssertionRejections, RegisterFacts.Text(data, "cause") ?? "unknown");
                }

                break;
            }

            case IdentitySigned.Type:
                yield return new Step.CountByCall(call, Metrics.Signatures, RegisterFacts.Text(data, "attest") ?? "none");
                break;

            case IdentityVerified.Type:
                yield return new Step.CountByCall(call, Metrics.Verifications, RegisterFacts.Text(data, "result") ?? "");
                yield return new Step.CountByCall(call, Metrics.VerificationReasons, RegisterFacts.Text(data, "reasonCode") ?? "none");
                break;

            case IdentityPresented.Type:
                yield return new Step.CountByCall(call, Metrics.Presentations, RegisterFacts.Text(data, "presentedKind") ?? "");
                yield return new Step.CountByCall(call, Metrics.PrivacyApplied, RegisterFacts.Flag(data, "privacyApplied") ? "true" : "false");
                break;
        }
    }

    public static IEnumerable<ISchemaObject> Tables()
    {
        var bindings = new Table(BindingsTable);
        bindings.AddColumn<string>("tenant_id").AsPrimaryKey();
        bindings.AddColumn<string>("binding_id").AsPrimaryKey();
        bindings.AddColumn<string>("enterprise_id").NotNull();
        bindings.AddColumn<string>("trunk_id").NotNull();
        yield return bindings;

        var trunks = new Table(TrunksTable);
        trunks.AddColumn<string>("tenant_id").AsPrimaryKey();
        trunks.AddColumn<string>("trunk_id").AsPrimaryKey();
        trunks.AddColumn<string>("enterprise_id").NotNull();
        yield return trunks;

        var calls = new Table(CallsTable);
        calls.AddColumn<string>("tenant_id").AsPrimaryKey();
        calls.AddColumn<string>("correlation_id").AsPrimaryKey();
        calls.AddColumn<string>("enterprise_id").NotNull();
        calls.AddColumn<string>("trunk_id").NotNull();
        yield return calls;
    }
}
