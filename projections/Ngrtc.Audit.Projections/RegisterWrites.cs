using Ngrtc.Audit.Domain;

namespace Ngrtc.Audit.Projections;

/// <summary>
/// What one tenant's events of one transaction write to the registers, as few statements as give the same rows as
/// writing event by event: the counters summed per (register, key, day, metric, label) in one upsert; the subject rows
/// and their first-seen counters in one statement; the identity register's lookups in the events' order. The service's
/// projection (<see cref="RegisterCountsProjection"/>) and the query benchmark's loader both write through it.
/// </summary>
public sealed class RegisterWrites(string tenant)
{
    /// <summary>
    /// The upserts of a CTE <c>counted (register, key, day, metric, label, n)</c> into the day counters and the month
    /// counters; parameters: tenant, tenant.
    /// </summary>
    private static readonly string AddCounted =
        $"""
        days as (
          insert into {AuditRegisters.CountsTable} as c (tenant_id, register, key, day, metric, label, n)
          select ?, register, key, day, metric, label, n from counted
          on conflict (tenant_id, register, key, day, metric, label) do update set n = c.n + excluded.n)
        insert into {AuditRegisters.MonthsTable} as m (tenant_id, register, key, day, metric, label, n)
        select ?, register, key, {AuditRegisters.MonthOfSql("day")}, metric, label, sum(n) from counted
        group by register, key, {AuditRegisters.MonthOfSql("day")}, metric, label having sum(n) <> 0
        on conflict (tenant_id, register, key, day, metric, label) do update set n = m.n + excluded.n
        """;

    /// <summary>Counters, each with its sum; parameters: the arrays register, key, day, metric, label, n, then tenant, tenant.</summary>
    private static readonly string CountsUpsert =
        $"""
        with counted as (
          select * from unnest(?, ?, ?, ?, ?, ?) as i(register, key, day, metric, label, n)),
        {AddCounted}
        """;

    /// <summary>
    /// Counts of calls, each under the enterprise and trunk its call is attributed to when the statement runs (or
    /// <see cref="IdentityRegister.Unattributed"/>), summed per counter: parameters tenant, the arrays call, day,
    /// metric, label, n, then tenant twice. The call is looked up by a scalar subquery: one index probe per call,
    /// whatever the planner guesses of the unnest's length (a join would leave it free to hash the whole calls table).
    /// </summary>
    private static readonly string CountByCalls =
        $"""
        with counted as (
          select '{AuditRegisters.Identity}' as register,
                 coalesce((select k.enterprise_id || '/' || k.trunk_id from {IdentityRegister.CallsTable} k where k.tenant_id = ? and k.correlation_id = i.call),
                          '{IdentityRegister.Unattributed}/{IdentityRegister.NoTrunk}') as key,
                 i.day, i.metric, i.label, sum(i.n)::bigint as n
          from unnest(?, ?, ?, ?, ?) as i(call, day, metric, label, n)
          group by 2, 3, 4, 5),
        {AddCounted}
        """;

    /// <summary>
    /// The subject rows (insert if absent) and the keys' first-seen counters kept right: +1 on the first day a pseudonym
    /// is seen by a key, moved (−1 on the old first day) when rows of an earlier day arrive later. The sub-statements
    /// share one snapshot, so <c>earlier</c> is each subject's first day before this statement. Safe because one
    /// transaction at a time writes a tenant's log and its inline projections (the appender's per-tenant lock).
    /// Parameters: the arrays register, key, pseudonym, day, label, then tenant four times.
    /// </summary>
    private static readonly string SubjectsSeen =
        $"""
        with input as (
          select * from unnest(?, ?, ?, ?, ?) as i(register, key, pseudonym, day, label)),
        added as (
          insert into {AuditRegisters.SubjectsTable} (tenant_id, register, key, pseudonym, day)
          select ?, register, key, pseudonym, day from input
          on conflict do nothing returning register, key, pseudonym, day),
        firsts as (
          select a.register, a.key, a.pseudonym, min(a.day) as day, min(i.label) as label
          from added a join input i using (register, key, pseudonym, day) group by 1, 2, 3),
        earlier as (
          select f.*, (select min(s.day) from {AuditRegisters.SubjectsTable} s
                       where s.tenant_id = ? and s.register = f.register and s.key = f.key and s.pseudonym = f.pseudonym) as before
          from firsts f),
        moves as (
          select register, key, day, label, 1 as n from earlier where before is null or day < before
          union all
          select register, key, before, label, -1 from earlier where day < before),
        counted as (
          select register, key, day, '{AuditRegisters.FirstSeenSubjects}'::text as metric, label, sum(n)::bigint as n
          from moves group by register, key, day, label having sum(n) <> 0),
        {AddCounted}
        """;

    private readonly Dictionary<(string Register, string Key, DateOnly Day, string Metric, string Label), long> counts = [];
    private readonly HashSet<(RegisterSubject Subject, DateOnly Day)> subjects = [];
    private readonly List<(IdentityRegister.Step Step, DateOnly Day)> identity = [];

    public string Tenant { get; } = tenant;

    /// <summary>Adds what a recorded event counts (call in the order the events are stored).</summary>
    public void Add(AuditEventRecorded e)
    {
        var day = RegisterFacts.DayOf(e);
        var facts = RegisterFacts.Of(e);
        foreach (var count in facts.Counts)
        {
            Count(count.Register, count.Key, day, count.Metric, count.Label, 1);
        }

        foreach (var subject in facts.Subjects)
        {
            subjects.Add((subject, day));
        }

        foreach (var step in IdentityRegister.Steps(Tenant, e))
        {
            if (step is IdentityRegister.Step.CountByKey byKey)
            {
                Count(AuditRegisters.Identity, byKey.Key, day, byKey.Metric, byKey.Label, 1);
            }
            else
            {
                identity.Add((step, day));
            }
        }
    }

    /// <summary>Adds <paramref name="n"/> (negative to take back) to one counter.</summary>
    public void Count(string register, string key, DateOnly day, string metric, string label, long n)
    {
        var k = (register, key, day, metric, label);
        counts[k] = counts.GetValueOrDefault(k) + n;
    }

    /// <summary>
    /// The statements, in the order to run them. A count by call is under the key its call is attributed to at the
    /// count's place among the events, as event-by-event writing would put it: counts of calls not yet attributed
    /// in this transaction run first (they see the attributions before it), the lookups in the events' order, then
    /// the counts of calls attributed once before them here (they see that attribution). A call attributed twice
    /// in one transaction, rare, gets its later counts one by one between the lookups.
    /// </summary>
    public IEnumerable<(string Sql, object[] Parameters)> Statements()
    {
        var direct = counts.Where(c => c.Value != 0).ToList();
        if (direct.Count > 0)
        {
            yield return (CountsUpsert,
            [
                direct.Select(c => c.Key.Register).ToArray(),
                direct.Select(c => c.Key.Key).ToArray(),
                direct.Select(c => c.Key.Day).ToArray(),
                direct.Select(c => c.Key.Metric).ToArray(),
                direct.Select(c => c.Key.Label).ToArray(),
                direct.Select(c => c.Value).ToArray(),
                Tenant, Tenant,
            ]);
        }

        if (subjects.Count > 0)
        {
            yield return (SubjectsSeen,
            [
                subjects.Select(s => s.Subject.Register).ToArray(),
                subjects.Select(s => s.Subject.Key).ToArray(),
                subjects.Select(s => s.Subject.Pseudonym).ToArray(),
                subjects.Select(s => s.Day).ToArray(),
                subjects.Select(s => s.Subject.Epoch).ToArray(),
                Tenant, Tenant, Tenant, Tenant,
            ]);
        }

        if (identity.Count == 0)
        {
            yield break;
        }

        var attributions = identity
            .Select(i => i.Step).OfType<IdentityRegister.Step.Remember>().Where(r => r.Attributes is not null)
            .GroupBy(r => r.Attributes!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var before = new CallCounts();
        var after = new CallCounts();
        var ordered = new List<(string, object[])>();
        var attributed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (step, day) in identity)
        {
            switch (step)
            {
                case IdentityRegister.Step.Remember remember:
                    ordered.Add((remember.Sql, remember.Parameters));
                    if (remember.Attributes is { } call)
                    {
                        attributed.Add(call);
                    }

                    break;

                case IdentityRegister.Step.CountByCall count when !attributed.Contains(count.Call):
                    before.Add(count.Call, day, count.Metric, count.Label);
                    break;

                case IdentityRegister.Step.CountByCall count when attributions[count.Call] == 1:
                    after.Add(count.Call, day, count.Metric, count.Label);
                    break;

                case IdentityRegister.Step.CountByCall count:
                    var one = new CallCounts();
                    one.Add(count.Call, day, count.Metric, count.Label);
                    ordered.Add(one.Statement(Tenant));
                    break;
            }
        }

        if (!before.IsEmpty)
        {
            yield return before.Statement(Tenant);
        }

        foreach (var statement in ordered)
        {
            yield return statement;
        }

        if (!after.IsEmpty)
        {
            yield return after.Statement(Tenant);
        }
    }

    /// <summary>Counts by call, summed per (call, day, metric, label).</summary>
    private sealed class CallCounts
    {
        private readonly Dictionary<(string Call, DateOnly Day, string Metric, string Label), long> counts = [];

        public bool IsEmpty => counts.Count == 0;

        public void Add(string call, DateOnly day, string metric, string label)
        {
            var k = (call, day, metric, label);
            counts[k] = counts.GetValueOrDefault(k) + 1;
        }

        public (string, object[]) Statement(string tenant) =>
            (CountByCalls,
            [
                tenant,
                counts.Keys.Select(k => k.Call).ToArray(),
                counts.Keys.Select(k => k.Day).ToArray(),
                counts.Keys.Select(k => k.Metric).ToArray(),
                counts.Keys.Select(k => k.Label).ToArray(),
                counts.Values.ToArray(),
                tenant, tenant,
            ]);
    }
}
