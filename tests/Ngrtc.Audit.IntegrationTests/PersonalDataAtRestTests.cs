using System.Diagnostics;
using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Ngrtc.Audit.Contracts;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Protection;
using Ngrtc.Audit.Service.DataSubjects;
using Ngrtc.Audit.Tests;
using Npgsql;

namespace Ngrtc.Audit.IntegrationTests;

/// <summary>
/// The proof of issue 4: after real ingestion over HTTP and the PostgreSQL queue, neither a dump of the whole
/// database nor the service's logs hold a known identifier in any spelling; crypto-shredding one person makes
/// their values unreadable and leaves everyone else's, the other party of the same call included, readable.
/// </summary>
public class PersonalDataAtRestTests(ServiceFixture service)
{
    // Used by no other test. Every spelling normalises to +491555773401 / sip:bob.builder@ims.example.org.
    private static readonly string[] Alice =
        ["tel:+491555773401", "tel:+49-1555-773401", "+49 (1555) 773401", "00491555773401", "sip:+491555773401@ims.example.org;user=phone"];

    private static readonly string[] Bob = ["sip:bob.builder@ims.example.org", "sip:bob.builder@IMS.Example.ORG", "sips:bob.builder@ims.example.org:5061"];

    // What a reader could find: every spelling, and the bare digits / user part they share.
    private static readonly string[] Needles = [.. Alice, .. Bob, "491555773401", "1555-773401", "1555 773401", "bob.builder"];

    private static JsonObject Call(string id, string tenant, string orig, string dest)
    {
        var e = Events.IdentityVerified(id, tenant);
        e["data"]!["orig"] = orig;
        e["data"]!["dest"] = dest;
        return e;
    }

    [Fact]
    public async Task no_identifier_is_readable_in_a_database_dump_or_the_logs_and_erasure_shreds_one_person_only()
    {
        var tenant = ServiceFixture.NewTenant();
        await service.PostAsEmitters(
            Events.ExposureDisclosed("d-1", tenant, subject: Alice[0]),
            Events.ExposureDisclosed("d-2", tenant, subject: Alice[1]),
            Events.ExposureDisclosed("d-3", tenant, subject: Alice[2]),
            Call("c-1", tenant, Alice[3], Bob[0]),
            Call("c-2", tenant, Bob[1], Alice[4]));
        await service.Bus().PublishAsync(AuditEventMessage.Batch(new JsonArray(
            Call("c-3", tenant, Alice[1], Bob[2]),
            Events.ExposureDisclosed("d-4", tenant, subject: Alice[3])).ToJsonString()));
        await ServiceFixture.StoredEventsReach(tenant, 7, "the events sent over HTTP and the PostgreSQL queue");
        await HandledEnvelopesForgotten();

        var dump = await DumpDatabase();
        dump.Length.ShouldBeGreaterThan(10_000);
        dump.ShouldContain(tenant); // the dump is of the right database and holds this test's events
        ShouldHoldNone(dump, "the database dump");
        ShouldHoldNone(CapturedLogs.Provider.Text(), "the service's logs");

        // Every value is there to the privileged reader, whatever spelling it arrived in.
        var alice = await Reveal(tenant, IdentifierKind.TelephoneNumber, "+491555773401");
        alice.Count.ShouldBe(7);
        alice.ShouldAllBe(v => !v.Erased && Alice.Contains(v.Value));
        (await Reveal(tenant, IdentifierKind.PublicUserIdentity, Bob[1])).Count.ShouldBe(3);

        // A dead letter holds the raw message: the person's erasure removes it too.
        await service.Bus().PublishAsync(AuditEventMessage.Single(Events.ExposureDisclosed("bad-1", tenant, subject: Alice[0]).Also(e => e["data"]!["unexpected"] = 1).ToJsonString()));
        await ServiceFixture.Eventually(async () => await DeadLettersHolding("491555773401") > 0 ? "" : null, "the refused message to be dead-lettered");

        var erased = await Erase(tenant, IdentifierKind.TelephoneNumber, "tel:+49 1555 773401", "case-42");
        erased.KeysDestroyed.ShouldBeGreaterThan(0);
        erased.DeadLettersRemoved.ShouldBe(1);
        (await DeadLettersHolding("491555773401")).ShouldBe(0);

        var afterwards = await Reveal(tenant, IdentifierKind.TelephoneNumber, Alice[0]);
        afterwards.Count.ShouldBe(7);
        afterwards.ShouldAllBe(v => v.Erased && v.Value == null);
        var other = await Reveal(tenant, IdentifierKind.PublicUserIdentity, Bob[0]);
        other.Count.ShouldBe(3);
        other.ShouldAllBe(v => !v.Erased && Bob.Contains(v.Value));
        other.Select(v => v.EventId).Order().ShouldBe(["c-1", "c-2", "c-3"]); // the same calls Alice was shredded from

        await using var session = service.Store.QuerySession(tenant);
        var receipt = (await session.Events.FetchStreamAsync(SubjectReceiptStreams.Erasure)).Select(e => e.Data).OfType<SubjectErasureExecuted>().ShouldHaveSingleItem();
        receipt.CaseId.ShouldBe("case-42");
        receipt.KeysDestroyed.ShouldBe(erased.KeysDestroyed);

        ShouldHoldNone(await DumpDatabase(), "the database dump after the erasure");
        ShouldHoldNone(CapturedLogs.Provider.Text(), "the service's logs after the erasure");
        // The erasure logged the identifier it was given, and the log shows the redaction marker instead.
        CapturedLogs.Provider.Text().ShouldContain($"Erased subject {Ngrtc.Audit.Service.Hosting.PersonalDataRedactor.Marker} for case case-42");
    }

    private static void ShouldHoldNone(string text, string where)
    {
        foreach (var needle in Needles)
        {
            // Found or not is all the message says: the needle itself is personal data.
            text.Contains(needle, StringComparison.OrdinalIgnoreCase).ShouldBeFalse($"{where} holds needle #{Array.IndexOf(Needles, needle)}");
        }
    }

    private async Task<IReadOnlyList<RevealedValue>> Reveal(string tenant, IdentifierKind kind, string identifier)
    {
        var services = service.Host.Services;
        return await RevealSubjectHandler.Handle(
            new RevealSubject(tenant, kind, identifier, "case-42", "test", DateTimeOffset.UtcNow),
            services.GetRequiredService<FieldProtector>(),
            services.GetRequiredService<NpgsqlDataSource>(),
            service.Store,
            CancellationToken.None);
    }

    private async Task<SubjectErasureResult> Erase(string tenant, IdentifierKind kind, string identifier, string caseId)
    {
        var services = service.Host.Services;
        return await EraseSubjectHandler.Handle(
            new EraseSubject(tenant, kind, identifier, caseId, DateTimeOffset.UtcNow),
            services.GetRequiredService<FieldProtector>(),
            services.GetRequiredService<NpgsqlDataSource>(),
            service.Store,
            CancellationToken.None,
            services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger("Ngrtc.Audit.DataSubjects"));
    }

    /// <summary>Handled PostgreSQL-queue envelopes keep their bodies only briefly (1 s in the suite).</summary>
    private static Task HandledEnvelopesForgotten() => ServiceFixture.Eventually(
        async () =>
        {
            await using var database = NpgsqlDataSource.Create(ServiceFixture.ConnectionString);
            await using var command = database.CreateCommand(
                "select count(*) from wolverine.wolverine_incoming_envelopes where position(convert_to('491555773401', 'UTF8') in body) > 0");
            return (long)(await command.ExecuteScalarAsync())! == 0 ? "" : null;
        },
        "handled envelopes to be deleted",
        seconds: 60);

    private static async Task<long> DeadLettersHolding(string text)
    {
        await using var database = NpgsqlDataSource.Create(ServiceFixture.ConnectionString);
        await using var command = database.CreateCommand("select count(*) from wolverine.wolverine_dead_letters where position(convert_to($1, 'UTF8') in body) > 0");
        command.Parameters.AddWithValue(text);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The whole database as <c>pg_dump</c> writes it (plain SQL, every schema).</summary>
    private static async Task<string> DumpDatabase()
    {
        var cs = new NpgsqlConnectionStringBuilder(ServiceFixture.ConnectionString);
        var bin = Environment.GetEnvironmentVariable("NGRTC_PG_BIN");
        var start = new ProcessStartInfo(bin is { Length: > 0 } ? Path.Combine(bin, "pg_dump") : "pg_dump")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "-h", cs.Host!, "-p", cs.Port.ToString(), "-U", cs.Username ?? "postgres", "-d", cs.Database!, "--no-owner" })
        {
            start.ArgumentList.Add(arg);
        }

        if (cs.Password is { Length: > 0 } password)
        {
            start.Environment["PGPASSWORD"] = password;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, await error);
        return await output;
    }
}

internal static class JsonObjectExtensions
{
    public static JsonObject Also(this JsonObject o, Action<JsonObject> change)
    {
        change(o);
        return o;
    }
}
