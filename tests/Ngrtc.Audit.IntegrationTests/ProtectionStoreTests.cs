using System.Security.Cryptography;
using Ngrtc.Audit.Protection;
using Ngrtc.Audit.Protection.Postgres;
using Npgsql;
using Weasel.Postgresql;

namespace Ngrtc.Audit.IntegrationTests;

/// <summary>
/// A schema of its own for <see cref="ProtectionStoreTests"/> (random name, created with the Weasel tables the
/// service will register, dropped at the end), in the suite's database (NGRTC_PG_TEST_CONNECTION): it never
/// touches the service's tables.
/// </summary>
public sealed class ProtectionSchema : IAsyncLifetime
{
    public string Name { get; } = "protection_" + Guid.NewGuid().ToString("n")[..12];

    public NpgsqlDataSource Database { get; } = NpgsqlDataSource.Create(ServiceFixture.ConnectionString);

    public async ValueTask InitializeAsync()
    {
        await using var connection = await Database.OpenConnectionAsync();
        await ProtectionTables.All(Name).MigrateAsync(connection);
    }

    public async ValueTask DisposeAsync()
    {
        await using (var drop = Database.CreateCommand($"drop schema if exists {Name} cascade"))
        {
            await drop.ExecuteNonQueryAsync();
        }

        await Database.DisposeAsync();
    }

    /// <summary>Every row of the schema's tables as text, as a dump would show them.</summary>
    public async Task<string> DumpAsync()
    {
        await using var command = Database.CreateCommand(
            $"""
            select coalesce(string_agg(t::text, E'\n'), '') from (
              select k::text as t from {Name}.subject_keys k
              union all select p::text from {Name}.pseudonym_peppers p
              union all select s::text from {Name}.subject_index_keys s) rows
            """);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}

public class ProtectionStoreTests(ProtectionSchema schema) : IClassFixture<ProtectionSchema>
{
    private static readonly byte[] V1 = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] V2 = RandomNumberGenerator.GetBytes(32);
    private static readonly DateTimeOffset Now = new(2026, 12, 20, 12, 0, 0, TimeSpan.Zero);
    private static readonly Epoch November = new("2026-11");
    private static readonly Epoch December = new("2026-12");

    private readonly IKeyEncryptionKeyProvider _keks = ConfiguredKeyEncryptionKeys.For("*", "v1", ("v1", V1));

    private PostgresSubjectKeyStore Keys(IKeyEncryptionKeyProvider? keks = null) => new(schema.Database, keks ?? _keks, schema.Name);

    private PostgresPepperStore Peppers(IKeyEncryptionKeyProvider? keks = null) => new(schema.Database, keks ?? _keks, schema.Name);

    private static SubjectId Subject(string identifier) =>
        SubjectId.Compute(new byte[32], IdentifierNormalizer.Default.Normalize(identifier, IdentifierKind.TelephoneNumber));

    [Fact]
    public async Task the_tables_migrate_once_and_then_show_no_difference()
    {
        await using var connection = await schema.Database.OpenConnectionAsync();
        foreach (var table in new[] { ProtectionTables.SubjectKeys(schema.Name), ProtectionTables.PseudonymPeppers(schema.Name), ProtectionTables.SubjectIndexKeys(schema.Name) })
        {
            var delta = await table.FindDeltaAsync(connection);
            delta.Difference.ShouldBe(Weasel.Core.SchemaPatchDifference.None, table.Identifier.ToString());
        }
    }

    [Fact]
    public async Task concurrent_get_or_create_from_many_processes_gives_every_slot_one_key_without_deadlocking()
    {
        // Eight "processes" (stores with pools of their own), each asking for all slots in an order of its own:
        // the bug this guards against was a deadlock between batches inserting the same slots in opposite orders.
        for (var round = 0; round < 3; round++)
        {
            var tenant = ServiceFixture.NewTenant();
            var slots = Enumerable.Range(0, 50).Select(i => new SubjectEpoch(Subject($"+4915550{i:D5}"), November)).ToList();
            var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async p =>
            {
                await Task.Yield();
                var order = p % 2 == 0 ? slots : Enumerable.Reverse(slots).ToList();
                return await Keys().GetOrCreateAsync(tenant, [.. order.Skip(p * 5), .. order.Take(p * 5)]);
            }));

            foreach (var slot in slots)
            {
                answers.Select(a => a[slot].KeyId).Distinct().ShouldHaveSingleItem();
                answers.Select(a => Convert.ToBase64String(a[slot].Material)).Distinct().ShouldHaveSingleItem();
            }

            (await CountAsync($"select count(*) from {schema.Name}.subject_keys where tenant_id = $1", tenant)).ShouldBe(50);
        }
    }

    [Fact]
    public async Task keys_are_found_by_id_as_found_destroyed_or_unknown()
    {
        var tenant = ServiceFixture.NewTenant();
        var store = Keys();
        var alice = new SubjectEpoch(Subject("+491555000001"), November);
        var bob = new SubjectEpoch(Subject("+491555000002"), November);
        var keys = await store.GetOrCreateAsync(tenant, [alice, bob]);

        var destroyed = await store.DestroySubjectAsync(tenant, alice.Subject, Now);
        var found = await store.FindAsync(tenant, [keys[alice].KeyId, keys[bob].KeyId, "never-made"]);

        destroyed.ShouldBe([new DestroyedKey(keys[alice].KeyId, November)]);
        found[keys[alice].KeyId].ShouldBe(new KeyLookup.Destroyed(Now));
        found[keys[bob].KeyId].ShouldBeOfType<KeyLookup.Found>().Key.KeyId.ShouldBe(keys[bob].KeyId);
        found["never-made"].ShouldBe(KeyLookup.Unknown);
        (await store.FindAsync(ServiceFixture.NewTenant(), [keys[bob].KeyId]))[keys[bob].KeyId].ShouldBe(KeyLookup.Unknown);
    }

    [Fact]
    public async Task destroying_a_subject_finds_every_epoch_keeps_the_rows_without_material_or_subject_and_later_keys_are_new()
    {
        var tenant = ServiceFixture.NewTenant();
        var store = Keys();
        var alice = Subject("+491555000001");
        var before = await store.GetOrCreateAsync(tenant, [new SubjectEpoch(alice, November), new SubjectEpoch(alice, December)]);

        var destroyed = await store.DestroySubjectAsync(tenant, alice, Now);

        destroyed.Select(d => d.KeyId).Order().ShouldBe(before.Values.Select(k => k.KeyId).Order());
        (await CountAsync(
            $"select count(*) from {schema.Name}.subject_keys where tenant_id = $1 and subject_id is null and wrapped_key is null and kek_id is null and destroyed_at is not null",
            tenant)).ShouldBe(2);
        (await store.DestroySubjectAsync(tenant, alice, Now)).ShouldBeEmpty();
        var after = await store.GetOrCreateAsync(tenant, [new SubjectEpoch(alice, December)]);
        after.Values.Single().KeyId.ShouldNotBeOneOf([.. before.Values.Select(k => k.KeyId)]);
    }

    [Fact]
    public async Task peppers_are_created_once_under_concurrency_and_a_destroyed_epoch_stays_closed()
    {
        var tenant = ServiceFixture.NewTenant();

        var peppers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            await Task.Yield();
            return await Peppers().GetOrCreateAsync(tenant, November);
        }));

        peppers.Select(p => Convert.ToBase64String(p.ShouldBeOfType<PepperLookup.Live>().Pepper)).Distinct().ShouldHaveSingleItem();
        var store = Peppers();
        (await store.DestroyAsync(tenant, November, Now)).ShouldBeTrue();
        (await store.GetOrCreateAsync(tenant, November)).ShouldBe(new PepperLookup.Destroyed(Now));
        (await store.DestroyAsync(tenant, November, Now.AddDays(1))).ShouldBeFalse();
        (await store.GetOrCreateAsync(tenant, November)).ShouldBe(new PepperLookup.Destroyed(Now));

        // An epoch that never had a pepper is closed too, and the key store creates no key in a closed epoch.
        (await store.DestroyAsync(tenant, December, Now)).ShouldBeFalse();
        (await store.GetOrCreateAsync(tenant, December)).ShouldBeOfType<PepperLookup.Destroyed>();
        var refused = await Should.ThrowAsync<EpochAnonymisedException>(async () =>
            await Keys().GetOrCreateAsync(tenant, [new SubjectEpoch(Subject("+491555000001"), December)]));
        refused.Epoch.ShouldBe(December);
    }

    [Fact]
    public async Task the_subject_index_key_is_created_once_under_concurrency()
    {
        var tenant = ServiceFixture.NewTenant();

        var keys = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            await Task.Yield();
            return await Peppers().GetOrCreateSubjectIndexKeyAsync(tenant);
        }));

        keys.Select(Convert.ToBase64String).Distinct().ShouldHaveSingleItem();
        keys[0].Length.ShouldBe(32);
    }

    [Fact]
    public async Task destroying_an_epoch_destroys_its_keys_only()
    {
        var tenant = ServiceFixture.NewTenant();
        var store = Keys();
        var slots = Enumerable.Range(0, 20).SelectMany(i => new[] { new SubjectEpoch(Subject($"+4915550{i:D5}"), November), new SubjectEpoch(Subject($"+4915550{i:D5}"), December) }).ToList();
        var keys = await store.GetOrCreateAsync(tenant, slots);

        (await store.DestroyEpochAsync(tenant, November, Now)).ShouldBe(20);
        (await store.DestroyEpochAsync(tenant, November, Now)).ShouldBe(0);

        var found = await store.FindAsync(tenant, [.. keys.Values.Select(k => k.KeyId)]);
        foreach (var (slot, key) in keys)
        {
            if (slot.Epoch == November)
            {
                found[key.KeyId].ShouldBeOfType<KeyLookup.Destroyed>();
            }
            else
            {
                found[key.KeyId].ShouldBeOfType<KeyLookup.Found>();
            }
        }
    }

    [Fact]
    public async Task rotation_rewraps_everything_under_the_new_kek_without_touching_values()
    {
        var tenant = ServiceFixture.NewTenant();
        var before = ConfiguredKeyEncryptionKeys.For(tenant, "v1", ("v1", V1));
        var protector = new FieldProtector(Peppers(before), Keys(before));
        var values = await protector.ProtectAsync([.. Enumerable.Range(0, 30).Select(i =>
            new ProtectionRequest(tenant, $"e-{i}", i % 2 == 0 ? November.ToTime() : December.ToTime(), "/orig", IdentifierKind.TelephoneNumber, $"+4915550{i:D5}"))]);

        var rotated = ConfiguredKeyEncryptionKeys.For(tenant, "v2", ("v1", V1), ("v2", V2));
        var summary = await new KeyRotation(rotated, Keys(rotated), Peppers(rotated)).RewrapAsync(tenant, pageSize: 7);

        summary.ShouldBe(new RewrapSummary(tenant, "v2", 30, 3));
        (await CountAsync($"select count(*) from {schema.Name}.subject_keys where tenant_id = $1 and kek_id <> 'v2'", tenant)).ShouldBe(0);
        var retired = ConfiguredKeyEncryptionKeys.For(tenant, "v2", ("v2", V2));
        var reads = await new FieldProtector(Peppers(retired), Keys(retired)).RevealAsync([.. values.Select((v, i) => new RevealRequest(tenant, $"e-{i}", "/orig", v.Ciphertext))]);
        reads.Select(r => r.ShouldBeOfType<RevealResult.Plain>().Value).ShouldBe(Enumerable.Range(0, 30).Select(i => $"+4915550{i:D5}"));
        (await new KeyRotation(rotated, Keys(rotated), Peppers(rotated)).RewrapAsync(tenant)).ShouldBe(new RewrapSummary(tenant, "v2", 0, 0));
    }

    [Fact]
    public async Task a_wrapped_key_copied_into_another_row_does_not_unwrap()
    {
        var tenant = ServiceFixture.NewTenant();
        var store = Keys();
        var alice = new SubjectEpoch(Subject("+491555000001"), November);
        var bob = new SubjectEpoch(Subject("+491555000002"), November);
        var keys = await store.GetOrCreateAsync(tenant, [alice, bob]);

        await using (var swap = schema.Database.CreateCommand(
            $"update {schema.Name}.subject_keys set wrapped_key = (select wrapped_key from {schema.Name}.subject_keys where tenant_id = $1 and key_id = $2) where tenant_id = $1 and key_id = $3"))
        {
            swap.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
            swap.Parameters.Add(new NpgsqlParameter<string> { TypedValue = keys[alice].KeyId });
            swap.Parameters.Add(new NpgsqlParameter<string> { TypedValue = keys[bob].KeyId });
            await swap.ExecuteNonQueryAsync();
        }

        await Should.ThrowAsync<KeyEncryptionKeyException>(async () => await Keys().FindAsync(tenant, [keys[bob].KeyId]));
    }

    [Fact]
    public async Task end_to_end_the_tables_hold_no_identifier_shredding_one_party_leaves_the_other_readable()
    {
        var tenant = ServiceFixture.NewTenant();
        var protector = new FieldProtector(Peppers(), Keys());
        var time = new DateTimeOffset(2026, 11, 28, 10, 15, 0, TimeSpan.Zero);
        var values = await protector.ProtectAsync([
            new ProtectionRequest(tenant, "e-1", time, "/orig", IdentifierKind.TelephoneNumber, "tel:+49-1555-000001"),
            new ProtectionRequest(tenant, "e-1", time, "/dest", IdentifierKind.TelephoneNumber, "tel:+491555000002"),
            new ProtectionRequest(tenant, "e-2", time, "/callingIdentity", IdentifierKind.PublicUserIdentity, "sip:+491555000001@ims.example.org;user=phone"),
        ]);

        var dump = await schema.DumpAsync();
        foreach (var spelling in new[] { "1555000001", "1555-000001", "1555000002" })
        {
            dump.ShouldNotContain(spelling);
        }

        values[0].Pseudonym.ShouldBe(values[2].Pseudonym);
        var summary = await protector.DestroySubjectAsync(tenant, IdentifierKind.TelephoneNumber, "+49 1555 000001", Now);
        summary.KeyCount.ShouldBe(1);

        // A fresh process (empty caches) reads what the store says.
        var reads = await new FieldProtector(Peppers(), Keys()).RevealAsync([
            new RevealRequest(tenant, "e-1", "/orig", values[0].Ciphertext),
            new RevealRequest(tenant, "e-1", "/dest", values[1].Ciphertext),
            new RevealRequest(tenant, "e-2", "/callingIdentity", values[2].Ciphertext),
        ]);
        reads[0].ShouldBe(new RevealResult.Erased(values[0].KeyId, Now));
        reads[1].ShouldBe(new RevealResult.Plain("tel:+491555000002"));
        reads[2].ShouldBe(new RevealResult.Erased(values[2].KeyId, Now));

        var anonymised = await protector.DestroyEpochAsync(tenant, November, Now);
        anonymised.ShouldBe(new EpochAnonymisationSummary(tenant, November, true, 1, Now));
        (await new FieldProtector(Peppers(), Keys()).RevealAsync(new RevealRequest(tenant, "e-1", "/dest", values[1].Ciphertext))).ShouldBeOfType<RevealResult.Erased>();
    }

    private async Task<long> CountAsync(string sql, string tenant)
    {
        await using var command = schema.Database.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

internal static class EpochTimes
{
    /// <summary>A time inside a monthly epoch, e.g. 2026-11 → 2026-11-15.</summary>
    public static DateTimeOffset ToTime(this Epoch epoch) =>
        DateTimeOffset.ParseExact(epoch.Label + "-15", "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
}
