using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Ngrtc.Audit.Integrity;
using Ngrtc.Audit.Protection;
using Ngrtc.Audit.Service.DataSubjects;
using Ngrtc.Audit.Service.Integrity;
using Ngrtc.Audit.Tests;
using Npgsql;
using Ngrtc.Audit.Service.Hosting;

namespace Ngrtc.Audit.IntegrationTests;

/// <summary>
/// The tamper-evident log against the real store: proofs served verify offline against signed heads, and each
/// kind of tampering (CloudTrail validate-logs is the bar) is detected by full verification and named.
/// </summary>
[Collection(ServiceFixture.HangfireGlobals)]
public class IntegrityTests(ServiceFixture service)
{
    private const int Events = 20;

    private const string Ibcf = "urn:ngrtc:nf:IBCF:ibcf-1";

    /// <summary>Who reads tree heads and proofs: a privacy officer of the tenant.</summary>
    private HttpClient Reader(string tenant) => service.Client(Roles.PrivacyOfficer, tenant);

    private async Task<string> SealedTenant(int count = Events)
    {
        var tenant = ServiceFixture.NewTenant();
        // One emitter for both types, so that the log order is the order sent.
        using var emitter = service.Client(Roles.Emitter, tenant, Ibcf);
        (await emitter.PostBatch([.. Enumerable.Range(0, count).Select(i => i % 2 == 0
            ? Ngrtc.Audit.Tests.Events.IdentityVerified($"e-{i}", tenant)
            : Ngrtc.Audit.Tests.Events.ExposureDisclosed($"e-{i}", tenant, subject: $"tel:+4915559{i:D5}").Also(e => e["source"] = Ibcf))])).EnsureSuccessStatusCode();
        using var client = Reader(tenant);
        await HeadReaches(client, tenant, count);
        return tenant;
    }

    /// <summary>Waits until the tenant's latest signed tree head covers <paramref name="size"/> events.</summary>
    private static Task HeadReaches(HttpClient client, string tenant, long size) => ServiceFixture.Eventually(
        async () => (await client.GetAsync($"/api/v1/integrity/tree-heads/latest?tenant={tenant}")) is { IsSuccessStatusCode: true } r
            && (await r.Json()).GetProperty("treeSize").GetInt64() == size ? "" : null,
        $"a tree head of size {size}");

    private async Task<TreeHeadVerifier> ServedVerifier() =>
        TreeHeadVerifier.FromJwks(await (await service.Anonymous().GetAsync("/api/v1/integrity/jwks")).Content.ReadAsStringAsync());

    private async Task<TenantVerification> Verify(string tenant)
    {
        var verifier = await ServedVerifier();
        var results = await VerifyLog.RunAsync(service.Host.Services.GetRequiredService<NpgsqlDataSource>(), verifier, tenant, CancellationToken.None);
        return results.ShouldHaveSingleItem();
    }

    /// <summary>
    /// Runs <c>ngrtc-audit verify --db --tenant T --jwks F</c> as an operator does: the service's program in a
    /// process of its own, on the suite's settings (the environment the fixture set), with the served JWKS.
    /// </summary>
    private Task<(int ExitCode, string Output)> VerifyCommandLine(string tenant, string? connectionString = null) =>
        CommandLine(["verify", "--db", "--tenant", tenant], connectionString);

    /// <summary>Runs <c>ngrtc-audit</c> with <paramref name="arguments"/> and <c>--jwks</c> the served key set (see <see cref="VerifyCommandLine"/>).</summary>
    private async Task<(int ExitCode, string Output)> CommandLine(string[] arguments, string? connectionString = null)
    {
        var jwks = Path.GetTempFileName();
        await File.WriteAllTextAsync(jwks, await (await service.Anonymous().GetAsync("/api/v1/integrity/jwks")).Content.ReadAsStringAsync());
        // From the service's own build output: the command line scans the assemblies beside it, and this test's
        // folder holds the test framework's.
        var program = Path.Combine(
            AppContext.BaseDirectory.Replace(Path.Combine("tests", "Ngrtc.Audit.IntegrationTests"), Path.Combine("src", "Ngrtc.Audit.Service")),
            "Ngrtc.Audit.Service.dll");
        File.Exists(program).ShouldBeTrue(program);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(program)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])[program, .. arguments, "--jwks", jwks])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        if (connectionString is not null)
        {
            start.Environment["ConnectionStrings__Audit"] = connectionString;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("verify --db did not finish within 90 s.");
        }
        finally
        {
            File.Delete(jwks);
        }

        return (process.ExitCode, await output + await error);
    }

    /// <summary>Takes the tenant's seal lock (the sealer's own) in a transaction: the sealer waits until it ends.</summary>
    private static async Task<NpgsqlTransaction> HoldSealLock(NpgsqlConnection connection, string tenant)
    {
        var tx = await connection.BeginTransactionAsync();
        await Sealer.SealLockAsync(connection, tx, tenant, wait: true, CancellationToken.None);
        return tx;
    }

    private static async Task Sql(string sql, string tenant)
    {
        await using var database = NpgsqlDataSource.Create(ServiceFixture.ConnectionString);
        foreach (var statement in sql.Split(";\n"))
        {
            await using var command = database.CreateCommand(statement);
            command.Parameters.AddWithValue(tenant);
            await command.ExecuteNonQueryAsync();
        }
    }

    private const string Log = "ngrtc.mt_events where tenant_id = $1 and stream_id = 'audit-log'";

    /// <summary>
    /// Copies the 10-event log of <paramref name="source"/> (the rows that match <paramref name="where"/>) into a
    /// new tenant's log as rows alone, as an older version or a bulk import leaves them: no leaf rows.
    /// </summary>
    private static Task CopyLogWithoutLeafRows(string source, string tenant, string where) => Sql(
        $"""
        insert into ngrtc.mt_streams (tenant_id, id, version, timestamp, created) values ($1, 'audit-log', 10, now(), now());
        insert into ngrtc.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived)
        select nextval('ngrtc.mt_events_sequence'), gen_random_uuid(), stream_id, version, data, type, timestamp, $1, mt_dotnet_type, false
        from ngrtc.mt_events where {where} and tenant_id = '{source}' and stream_id = 'audit-log' order by version
        """,
        tenant);

    [Fact]
    public async Task a_served_inclusion_proof_verifies_offline_against_the_signed_head_and_the_jwks()
    {
        var tenant = await SealedTenant();
        using var client = Reader(tenant);
        var head = await (await client.GetAsync($"/api/v1/integrity/tree-heads/latest?tenant={tenant}")).Json();
        var verified = TreeHeadVerifier.FromJwks(await (await client.GetAsync("/api/v1/integrity/jwks")).Content.ReadAsStringAsync())
            .Verify(head.GetProperty("jws").GetString());
        verified.IsValid.ShouldBeTrue(verified.Reason);
        verified.Head!.TreeSize.ShouldBe(Events);

        var proof = await (await client.GetAsync($"/api/v1/integrity/proofs/inclusion?tenant={tenant}&eventId=e-7&treeSize={Events}")).Json();
        proof.GetProperty("leafIdx").GetInt64().ShouldBe(7);
        Convert.FromBase64String(proof.GetProperty("root").GetString()!).ShouldBe(verified.Head.RootHash);
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, proof.GetRawText());
        new VerifyProofCommand().Execute(new VerifyProofInput { File = file }).ShouldBeTrue();

        // The same proof for another leaf hash fails.
        var forged = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(proof.GetRawText())!;
        forged["leafHash"] = JsonSerializer.SerializeToElement(Convert.ToBase64String(new byte[32]));
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(forged));
        new VerifyProofCommand().Execute(new VerifyProofInput { File = file }).ShouldBeFalse();
        File.Delete(file);

        (await Verify(tenant)).Problem.ShouldBeNull();
        using var admin = service.Client(Roles.Admin, tenant);
        var job = await (await admin.PostAsync("/api/v1/jobs/verify", null)).Json();
        (await service.HangfireJobFinished(job.GetProperty("jobId").GetString()!)).ShouldBe("Succeeded");
        (await (await client.GetAsync($"/api/v1/integrity/status?tenant={tenant}")).Json()).GetProperty("status").GetString().ShouldBe("verified");
    }

    [Fact]
    public async Task a_served_consistency_proof_shows_the_log_only_grew()
    {
        var tenant = await SealedTenant(5);
        using var client = Reader(tenant);
        using var emitter = service.Client(Roles.Emitter, tenant, Ibcf);
        (await emitter.PostBatch([.. Enumerable.Range(5, 9).Select(i => Ngrtc.Audit.Tests.Events.IdentityVerified($"e-{i}", tenant))])).EnsureSuccessStatusCode();
        await HeadReaches(client, tenant, 14);

        var proof = await (await client.GetAsync($"/api/v1/integrity/proofs/consistency?tenant={tenant}&first=5&second=14")).Json();
        var check = ProofFile.Verify(proof.GetRawText());
        check.Valid.ShouldBeTrue(check.Reason);
        check.Kind.ShouldBe(ProofKind.Consistency);
    }

    [Fact]
    public async Task the_verify_command_line_exits_0_on_a_clean_log_and_1_naming_the_altered_event()
    {
        var tenant = await SealedTenant();
        var clean = await VerifyCommandLine(tenant);
        clean.ExitCode.ShouldBe(0, clean.Output);
        clean.Output.ShouldContain($"ok        tenant {tenant}: {Events} events, {Events} sealed");

        await Sql("update ngrtc.mt_events set data = replace(data::text, '\"stale\"', '\"stalf\"')::jsonb where tenant_id = $1 and stream_id = 'audit-log' and version = 13", tenant);
        var tampered = await VerifyCommandLine(tenant);
        tampered.ExitCode.ShouldBe(1, tampered.Output);
        tampered.Output.ShouldContain($"TAMPERED  tenant {tenant}: the event differs from the one sealed at its position — leaf index 12, event id e-12");
        tampered.Output.ShouldNotContain("1555");

        var unknown = await VerifyCommandLine(ServiceFixture.NewTenant());
        unknown.ExitCode.ShouldBe(1, unknown.Output);
        unknown.Output.ShouldContain("has no log here");

        // A database without the store (never created, or its tables dropped): said in a sentence, exit 1.
        var empty = "ngrtc_audit_verify_" + Guid.NewGuid().ToString("n")[..8];
        await using var server = NpgsqlDataSource.Create(ServiceFixture.ConnectionString);
        await using (var create = server.CreateCommand($"create database {empty}"))
        {
            await create.ExecuteNonQueryAsync();
        }

        try
        {
            var none = await VerifyCommandLine(tenant, new NpgsqlConnectionStringBuilder(ServiceFixture.ConnectionString) { Database = empty }.ConnectionString);
            none.ExitCode.ShouldBe(1, none.Output);
            none.Output.ShouldContain("verification FAILED: The database has no audit store or no integrity tables");
            none.Output.ShouldNotContain("   at ");
        }
        finally
        {
            await using var drop = server.CreateCommand($"drop database if exists {empty} with (force)");
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task a_flipped_byte_in_one_stored_event_is_found_at_its_leaf_index()
    {
        var tenant = await SealedTenant();
        // One byte: "stale" becomes "stalf" in the data of the 13th event.
        await Sql("update ngrtc.mt_events set data = replace(data::text, '\"stale\"', '\"stalf\"')::jsonb where tenant_id = $1 and stream_id = 'audit-log' and version = 13", tenant);
        var result = await Verify(tenant);
        result.Problem.ShouldNotBeNull();
        result.LeafIndex.ShouldBe(12);
        result.EventId.ShouldBe("e-12");

        // The recurring verification (run now, in Hangfire) records the alert; the status endpoint shows it.
        using var client = service.Client(Roles.Admin, tenant);
        var job = await (await client.PostAsync("/api/v1/jobs/verify", null)).Json();
        (await service.HangfireJobFinished(job.GetProperty("jobId").GetString()!)).ShouldBe("Succeeded");
        var status = await (await client.GetAsync($"/api/v1/integrity/status?tenant={tenant}")).Json();
        status.GetProperty("status").GetString().ShouldBe("tampered");
        status.GetProperty("leafIndex").GetInt64().ShouldBe(12);
    }

    [Fact]
    public async Task an_event_changed_together_with_its_stored_leaf_fails_the_signed_root_and_no_bystander_is_blamed()
    {
        var tenant = await SealedTenant();
        await Sql("update ngrtc.mt_events set data = replace(data::text, '\"stale\"', '\"stalf\"')::jsonb where tenant_id = $1 and stream_id = 'audit-log' and version = 13", tenant);
        await using var database = NpgsqlDataSource.Create(ServiceFixture.ConnectionString);
        await using (var read = database.CreateCommand("select data::text from " + Log + " and version = 13"))
        {
            read.Parameters.AddWithValue(tenant);
            var forged = Leaves.Hash((string)(await read.ExecuteScalarAsync())!);
            // The 13th leaf of the first level-0 tile rewritten to the changed event's hash.
            await using var tile = database.CreateCommand(
                "update ngrtc.merkle_tiles set hashes = overlay(hashes placing $2 from 385 for 32) where tenant_id = $1 and level = 0 and idx = 0");
            tile.Parameters.AddWithValue(tenant);
            tile.Parameters.AddWithValue(forged);
            (await tile.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        var result = await Verify(tenant);

        result.Problem!.ShouldContain("does not match the events");
        result.LeafIndex!.Value.ShouldBeLessThanOrEqualTo(12);
        result.EventId.ShouldBeNull();
    }

    [Fact]
    public async Task the_first_of_several_tampered_events_is_reported_though_chunks_are_verified_in_parallel()
    {
        // 700 events: leaves are recomputed in chunks of 256 on several threads; the smallest bad index must win.
        var tenant = await SealedTenant(700);
        (await Verify(tenant)).Problem.ShouldBeNull();
        await Sql("update ngrtc.mt_events set data = jsonb_set(data, '{envelope,purpose}', '\"forged\"') where tenant_id = $1 and stream_id = 'audit-log' and version in (302, 601, 700)", tenant);
        var result = await Verify(tenant);
        result.Problem!.ShouldContain("differs");
        result.LeafIndex.ShouldBe(301);
        result.EventId.ShouldBe("e-301");

        // A gap after an earlier bad leaf: the bad leaf comes first in log order.
        await Sql($"delete from {Log} and version = 650", tenant);
        (await Verify(tenant)).LeafIndex.ShouldBe(301);
    }

    [Fact]
    public async Task a_gap_in_a_later_chunk_is_found_where_it_is()
    {
        var tenant = await SealedTenant(600);
        await Sql($"delete from {Log} and version = 520", tenant);
        var result = await Verify(tenant);
        result.Problem!.ShouldContain("missing");
        result.LeafIndex.ShouldBe(519);
        result.EventId.ShouldBe("e-520");
    }

    [Fact]
    public async Task a_deleted_event_is_found_where_it_is_missing()
    {
        var tenant = await SealedTenant();
        await Sql($"delete from {Log} and version = 5", tenant);
        var result = await Verify(tenant);
        result.Problem!.ShouldContain("missing");
        result.LeafIndex.ShouldBe(4);
    }

    [Fact]
    public async Task a_forged_event_inserted_into_the_log_is_found_at_its_position()
    {
        var tenant = await SealedTenant();
        await Sql(
            """
            update ngrtc.mt_events set version = -version where tenant_id = $1 and stream_id = 'audit-log' and version >= 8;
            update ngrtc.mt_events set version = -version + 1 where tenant_id = $1 and stream_id = 'audit-log' and version < 0;
            insert into ngrtc.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived)
            select nextval('ngrtc.mt_events_sequence'), gen_random_uuid(), stream_id, 8, jsonb_set(data, '{envelope,id}', '"forged"'), type, timestamp, tenant_id, mt_dotnet_type, false
            from ngrtc.mt_events where tenant_id = $1 and stream_id = 'audit-log' and version = 9
            """,
            tenant);
        var result = await Verify(tenant);
        result.Problem.ShouldNotBeNull();
        result.LeafIndex.ShouldBe(7);
        result.EventId.ShouldBe("forged");
    }

    [Fact]
    public async Task two_swapped_events_are_found_at_the_first_of_them()
    {
        var tenant = await SealedTenant();
        await Sql(
            """
            update ngrtc.mt_events e set data = o.data
            from ngrtc.mt_events o
            where e.tenant_id = $1 and o.tenant_id = $1 and e.stream_id = 'audit-log' and o.stream_id = 'audit-log'
              and ((e.version = 3 and o.version = 6) or (e.version = 6 and o.version = 3))
            """,
            tenant);
        var result = await Verify(tenant);
        result.LeafIndex.ShouldBe(2);
        result.EventId.ShouldBe("e-5");
    }

    [Fact]
    public async Task a_truncated_log_is_found()
    {
        var tenant = await SealedTenant();
        await Sql($"delete from {Log} and version > 15", tenant);
        var result = await Verify(tenant);
        result.Problem!.ShouldContain("truncated");
        result.LeafIndex.ShouldBe(15);
    }

    [Fact]
    public async Task a_forged_tree_head_signature_is_found()
    {
        var tenant = await SealedTenant();
        // The last character of the signature changed (keeping it base64url).
        await Sql(
            """
            update ngrtc.tree_heads set jws = left(jws, -1) || case when right(jws, 1) = 'A' then 'B' else 'A' end
            where tenant_id = $1 and seq = (select max(seq) from ngrtc.tree_heads where tenant_id = $1)
            """,
            tenant);
        var result = await Verify(tenant);
        result.Problem!.ShouldStartWith("tree head #");
    }

    [Fact]
    public async Task a_tree_head_replaced_by_an_older_one_is_found()
    {
        var tenant = await SealedTenant(3);
        using var client = Reader(tenant);
        using var emitter = service.Client(Roles.Emitter, tenant, Ibcf);
        (await emitter.PostBatch([.. Enumerable.Range(3, 4).Select(i => Ngrtc.Audit.Tests.Events.IdentityVerified($"e-{i}", tenant))])).EnsureSuccessStatusCode();
        await HeadReaches(client, tenant, 7);
        await Sql(
            """
            update ngrtc.tree_heads set jws = (select jws from ngrtc.tree_heads where tenant_id = $1 order by seq limit 1)
            where tenant_id = $1 and seq = (select max(seq) from ngrtc.tree_heads where tenant_id = $1)
            """,
            tenant);
        var result = await Verify(tenant);
        result.Problem!.ShouldStartWith("tree head #");
    }

    [Fact]
    public async Task a_tree_head_signed_with_a_leaked_retired_key_is_found()
    {
        // The JWKS publishes when each key may sign; verifiers offline refuse what the retired key signs now.
        var jwks = await (await service.Anonymous().GetAsync("/api/v1/integrity/jwks")).Content.ReadAsStringAsync();
        var published = Jwks.Read(jwks);
        published[ServiceFixture.RetiredSigningKeyId].Validity.ShouldBe(new KeyValidity(null, ServiceFixture.SigningKeyRetired));
        published[ServiceFixture.SigningKeyId].Validity.ShouldBe(new KeyValidity(ServiceFixture.SigningKeyRetired, null));

        // A head chained onto the latest one, well formed and signed, but by the retired key, dated now: appended
        // under the tenant's seal lock, as the sealer appends its own.
        var tenant = await SealedTenant(3);
        await using var database = NpgsqlDataSource.Create(ServiceFixture.ConnectionString);
        await using (var connection = await database.OpenConnectionAsync())
        {
            await using var tx = await HoldSealLock(connection, tenant);

            var latest = (await StoredHeads.LatestAsync(connection, tx, tenant, CancellationToken.None))!;
            var forged = new TreeHeadSigner(ServiceFixture.RetiredSigningKey, ServiceFixture.RetiredSigningKeyId)
                .Sign(tenant, latest.Head.TreeSize, latest.Head.RootHash, DateTimeOffset.UtcNow, latest.Hash());
            await StoredHeads.AppendAsync(connection, tx, tenant, latest.Seq + 1, forged, CancellationToken.None);
            await tx.CommitAsync();
        }

        var result = await Verify(tenant);
        result.Problem!.ShouldStartWith("tree head #");
        result.Problem.ShouldContain("Key \"suite-0\" signs heads dated before 2026-01-01T00:00:00.0000000Z");
    }

    [Fact]
    public async Task verification_still_passes_after_a_subject_is_crypto_shredded()
    {
        var tenant = await SealedTenant();
        var services = service.Host.Services;
        var erased = await EraseSubjectHandler.Handle(
            new EraseSubject(tenant, IdentifierKind.TelephoneNumber, "tel:+491555000001", "case-1", DateTimeOffset.UtcNow),
            services.GetRequiredService<FieldProtector>(),
            services.GetRequiredService<NpgsqlDataSource>(),
            service.Store,
            CancellationToken.None);
        erased.KeysDestroyed.ShouldBeGreaterThan(0);
        (await Verify(tenant)).Problem.ShouldBeNull();
    }

    [Fact]
    public async Task each_stored_event_comes_with_its_leaf_row_holding_the_hash_of_its_stored_json()
    {
        var tenant = await SealedTenant();
        await using var database = NpgsqlDataSource.Create(ServiceFixture.ConnectionString);
        await using var command = database.CreateCommand(
            """
            select e.version, e.data::text, l.leaf_index, l.event_id, l.leaf_hash
            from ngrtc.mt_events e left join ngrtc.merkle_leaf_ids l on l.tenant_id = e.tenant_id and l.leaf_index = e.version - 1
            where e.tenant_id = $1 and e.stream_id = 'audit-log' order by e.version
            """);
        command.Parameters.AddWithValue(tenant);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            rows++;
            reader.IsDBNull(2).ShouldBeFalse($"no leaf row for log position {reader.GetInt64(0)}");
            reader.GetString(3).ShouldBe($"e-{reader.GetInt64(0) - 1}");
            reader.GetFieldValue<byte[]>(4).ShouldBe(Leaves.Hash(reader.GetString(1)));
        }

        rows.ShouldBe(Events);
    }

    [Fact]
    public async Task an_event_altered_after_it_was_stored_but_before_it_was_sealed_is_found()
    {
        var tenant = ServiceFixture.NewTenant();
        await using var database = NpgsqlDataSource.Create(ServiceFixture.ConnectionString);
        await using (var seal = await database.OpenConnectionAsync())
        {
            // Hold the tenant's seal lock (the sealer's own) while events are stored and one is altered.
            await using var tx = await HoldSealLock(seal, tenant);

            using var emitter = service.Client(Roles.Emitter, tenant, Ibcf);
            (await emitter.PostBatch([.. Enumerable.Range(0, 6).Select(i => Ngrtc.Audit.Tests.Events.IdentityVerified($"e-{i}", tenant))])).EnsureSuccessStatusCode();
            await Sql("update ngrtc.mt_events set data = jsonb_set(data, '{envelope,purpose}', '\"forged\"') where tenant_id = $1 and stream_id = 'audit-log' and version = 4", tenant);
            await tx.CommitAsync();
        }

        using var client = Reader(tenant);
        await HeadReaches(client, tenant, 6);
        var result = await Verify(tenant);
        result.Problem!.ShouldContain("differs");
        result.LeafIndex.ShouldBe(3);
        result.EventId.ShouldBe("e-3");
    }

    [Fact]
    public async Task a_damaged_log_stops_its_own_sealing_only_and_says_so()
    {
        // Events copied in without leaf rows, position 5 missing: the sealer cannot go past position 4 of this
        // log. It says so once, and goes on sealing the other tenants' logs (the service stays up).
        var source = await SealedTenant(10);
        var damaged = ServiceFixture.NewTenant();
        await CopyLogWithoutLeafRows(source, damaged, "version <> 5");

        var said = $"Sealing of tenant {damaged} stopped: The log of a tenant jumps from position 4 to 5";
        await ServiceFixture.Eventually(() => Task.FromResult(CapturedLogs.Provider.Text().Contains(said) ? "" : null), "the sealer's error");

        var next = await SealedTenant(3);
        (await Verify(next)).Problem.ShouldBeNull();
        CapturedLogs.Provider.Text().Split(said).Length.ShouldBe(2, "said once, not at every poll");
    }

    [Fact]
    public async Task a_damaged_tile_above_the_leaves_is_found_and_the_sealer_signs_nothing_over_it()
    {
        // 600 events: level-1 tile 0 holds the roots of the first two level-0 tiles. Proofs are served through it;
        // the events, the leaf tiles and the signed heads stay as they were.
        var tenant = await SealedTenant(600);
        (await Verify(tenant)).Problem.ShouldBeNull();
        await Sql("update ngrtc.merkle_tiles set hashes = set_byte(hashes, 7, get_byte(hashes, 7) # 1) where tenant_id = $1 and level = 1 and idx = 0", tenant);

        var result = await Verify(tenant);
        result.Problem!.ShouldStartWith("the stored tile at level 1, index 0 differs");
        result.LeafIndex.ShouldBeNull();
        result.EventId.ShouldBeNull();

        // The next head is due within two seconds with nothing new: the tiles no longer give the signed root, so
        // the sealer refuses to sign (a fork under the key) and says so, and verification still names the tile.
        var said = $"Sealing of tenant {tenant} stopped: The stored tiles of a tenant's tree no longer extend the head signed at size 600";
        await ServiceFixture.Eventually(() => Task.FromResult(CapturedLogs.Provider.Text().Contains(said) ? "" : null), "the sealer's refusal");
        (await Verify(tenant)).Problem!.ShouldStartWith("the stored tile at level 1, index 0 differs");

        // New events are stored, but not sealed: a consistency proof from 600 through the damaged tile fails, so
        // no head and no tree size past 600 is written (each try is rolled back; the sealer polls every 100 ms).
        using var emitter = service.Client(Roles.Emitter, tenant, Ibcf);
        (await emitter.PostBatch([.. Enumerable.Range(600, 10).Select(i => Ngrtc.Audit.Tests.Events.IdentityVerified($"e-{i}", tenant))])).EnsureSuccessStatusCode();
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        using var client = Reader(tenant);
        (await (await client.GetAsync($"/api/v1/integrity/tree-heads/latest?tenant={tenant}")).Json()).GetProperty("treeSize").GetInt64().ShouldBe(600);
        var stillBad = await Verify(tenant);
        stillBad.SealedSize.ShouldBe(600);
        stillBad.Events.ShouldBe(610);
        stillBad.Problem!.ShouldStartWith("the stored tile at level 1, index 0 differs");

        // The repair rebuilds the tiles from the events, checked against every signed head; the sealer goes on.
        var repair = await CommandLine(["repair-tiles", "--tenant", tenant]);
        repair.ExitCode.ShouldBe(0, repair.Output);
        // Level 0: two complete tiles and one of 88 leaves; level 1: one tile of two entries.
        repair.Output.ShouldContain($"rebuilt   tenant {tenant}: 4 tiles for the 600 events under its last signed head");
        await HeadReaches(client, tenant, 610);
        (await Verify(tenant)).Problem.ShouldBeNull();
    }

    [Fact]
    public async Task a_tile_repair_is_refused_when_the_events_do_not_give_the_signed_heads()
    {
        // An altered event: rebuilding the tiles from the events would put a second history under the heads.
        var tenant = await SealedTenant();
        await Sql("update ngrtc.mt_events set data = jsonb_set(data, '{envelope,purpose}', '\"forged\"') where tenant_id = $1 and stream_id = 'audit-log' and version = 4", tenant);
        await using var database = NpgsqlDataSource.Create(ServiceFixture.ConnectionString);
        var before = await TileBytes(database, tenant);

        var repair = await RepairTiles.RunAsync(database, await ServedVerifier(), tenant, CancellationToken.None);
        repair.Refused!.ShouldContain("do not give the root of tree head #");
        (await TileBytes(database, tenant)).ShouldBe(before);
        (await Verify(tenant)).LeafIndex.ShouldBe(3);

        // A tenant with no sealed tree (a typo, say) is refused, not reported as rebuilt.
        (await RepairTiles.RunAsync(database, await ServedVerifier(), ServiceFixture.NewTenant(), CancellationToken.None)).Refused.ShouldBe("this tenant has no sealed tree here");
    }

    [Fact]
    public async Task a_tile_repair_trusts_the_events_only_as_far_as_signed_heads_vouch_for_them()
    {
        // Sealed to 20 but signed only to 10 (the later heads gone), a leaf tile damaged under that head (the
        // sealer stops), and event 15 altered after it was sealed: a repair from the events must not take event 15
        // as it is now. It rebuilds to 10; the sealer seals 10–20 again from the hashes stored with the events.
        var tenant = await SealedTenant(10);
        using var client = Reader(tenant);
        using (var emitter = service.Client(Roles.Emitter, tenant, Ibcf))
        {
            (await emitter.PostBatch([.. Enumerable.Range(10, 10).Select(i => Ngrtc.Audit.Tests.Events.IdentityVerified($"e-{i}", tenant))])).EnsureSuccessStatusCode();
        }

        await HeadReaches(client, tenant, 20);
        await using var database = NpgsqlDataSource.Create(ServiceFixture.ConnectionString);
        await using (var connection = await database.OpenConnectionAsync())
        {
            await using var tx = await HoldSealLock(connection, tenant);
            foreach (var statement in new[]
            {
                "delete from ngrtc.tree_heads where tenant_id = $1 and tree_size > 10",
                "update ngrtc.merkle_tiles set hashes = set_byte(hashes, 3, get_byte(hashes, 3) # 1) where tenant_id = $1 and level = 0 and idx = 0",
                "update ngrtc.mt_events set data = jsonb_set(data, '{envelope,purpose}', '\"forged\"') where tenant_id = $1 and stream_id = 'audit-log' and version = 15",
            })
            {
                await using var command = new NpgsqlCommand(statement, connection, tx);
                command.Parameters.AddWithValue(tenant);
                await command.ExecuteNonQueryAsync();
            }

            await tx.CommitAsync();
        }

        var repair = await RepairTiles.RunAsync(database, await ServedVerifier(), tenant, CancellationToken.None);
        repair.Refused.ShouldBeNull();
        repair.RebuiltSize.ShouldBe(10);
        await HeadReaches(client, tenant, 20);
        var result = await Verify(tenant);
        result.Problem!.ShouldContain("differs");
        result.LeafIndex.ShouldBe(14);
        result.EventId.ShouldBe("e-14");
    }

    private static async Task<string> TileBytes(NpgsqlDataSource database, string tenant)
    {
        await using var command = database.CreateCommand("select string_agg(encode(hashes, 'hex'), ',' order by level, idx) from ngrtc.merkle_tiles where tenant_id = $1");
        command.Parameters.AddWithValue(tenant);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task complete_tiles_of_events_not_sealed_yet_are_not_held_against_the_sealed_tiles()
    {
        // 300 sealed, then 600 stored while the sealer is held off: three complete level-0 tiles of events, of
        // which only the first is sealed (and gives level 1 its one entry).
        var tenant = await SealedTenant(300);
        await using var database = NpgsqlDataSource.Create(ServiceFixture.ConnectionString);
        await using var seal = await database.OpenConnectionAsync();
        await using var tx = await HoldSealLock(seal, tenant);

        using var emitter = service.Client(Roles.Emitter, tenant, Ibcf);
        (await emitter.PostBatch([.. Enumerable.Range(300, 600).Select(i => Ngrtc.Audit.Tests.Events.IdentityVerified($"e-{i}", tenant))])).EnsureSuccessStatusCode();
        var result = await Verify(tenant);
        await tx.CommitAsync();

        result.Problem.ShouldBeNull();
        result.Events.ShouldBe(900);
        result.SealedSize.ShouldBe(300);
    }

    [Fact]
    public async Task events_stored_without_leaf_rows_are_read_back_hashed_and_sealed_before_the_ones_that_have_rows()
    {
        // Ten events stored by other means (copied rows, as an older version or a bulk import leaves them: no
        // leaf rows), then five through the service (with rows): the sealer hashes the ten, then folds in the five.
        var source = await SealedTenant(10);
        var tenant = ServiceFixture.NewTenant();
        await CopyLogWithoutLeafRows(source, tenant, "true");
        using var emitter = service.Client(Roles.Emitter, tenant, Ibcf);
        (await emitter.PostBatch([.. Enumerable.Range(10, 5).Select(i => Ngrtc.Audit.Tests.Events.IdentityVerified($"e-{i}", tenant))])).EnsureSuccessStatusCode();

        using var client = Reader(tenant);
        await HeadReaches(client, tenant, 15);
        (await Verify(tenant)).Problem.ShouldBeNull();

        // The ten got their rows from the sealer: a proof of one of them is served.
        var proof = await (await client.GetAsync($"/api/v1/integrity/proofs/inclusion?tenant={tenant}&eventId=e-3&treeSize=15")).Json();
        proof.GetProperty("leafIdx").GetInt64().ShouldBe(3);
    }
}
