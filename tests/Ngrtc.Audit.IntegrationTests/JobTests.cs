using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Marten;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Tests;
using Ngrtc.Audit.Service.Hosting;

namespace Ngrtc.Audit.IntegrationTests;

// Not side by side with the other: a second host swaps Hangfire's process-wide statics while it lives.
[Collection(ServiceFixture.HangfireGlobals)]
public class JobTests(ServiceFixture service)
{
    [Fact]
    public async Task the_retention_job_blanks_expired_personal_fields_in_hangfire_and_leaves_a_receipt()
    {
        var tenant = ServiceFixture.NewTenant();
        var old = DateTimeOffset.UtcNow.AddDays(-ServiceFixture.RetentionDays - 5).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        var recent = DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        await service.PostAsEmitters(
            Events.IdentityVerified("old-1", tenant, time: old),
            Events.IdentityVerified("new-1", tenant, time: recent));
        using var client = service.Client(Roles.Admin, tenant);

        var job = await (await client.PostAsync("/api/v1/jobs/retention", null)).Json();
        (await service.HangfireJobFinished(job.GetProperty("jobId").GetString()!)).ShouldBe("Succeeded");

        var expired = JsonDocument.Parse((await Api.StoredData(tenant, "old-1"))!).RootElement;
        expired.GetProperty("data").GetProperty("orig").ValueKind.ShouldBe(JsonValueKind.Null);
        expired.GetProperty("data").GetProperty("dest").ValueKind.ShouldBe(JsonValueKind.Null);
        expired.GetProperty("data").GetProperty("result").GetString().ShouldBe("stale");
        expired.GetProperty("redactedAt").ValueKind.ShouldBe(JsonValueKind.String);
        expired.GetProperty("protected").GetProperty("orig").GetProperty("ciphertext").ValueKind.ShouldBe(JsonValueKind.Null);
        expired.GetProperty("protected").GetProperty("orig").GetProperty("digest").GetString().ShouldNotBeNullOrEmpty();
        var kept = JsonDocument.Parse((await Api.StoredData(tenant, "new-1"))!).RootElement;
        kept.GetProperty("data").GetProperty("orig").GetString().ShouldBe(kept.GetProperty("pseudonyms").GetProperty("orig").GetString());
        kept.GetProperty("protected").GetProperty("orig").GetProperty("ciphertext").GetString()!.ShouldStartWith("enc1.");

        await using var session = service.Store.QuerySession(tenant);
        var receipts = await session.Events.FetchStreamAsync(ReceiptStreams.Retention);
        var receipt = receipts.Select(e => e.Data).OfType<RetentionRedactionExecuted>().ShouldHaveSingleItem();
        receipt.EventsRedacted.ShouldBe(1);
        receipt.FieldsBlanked.ShouldBe(2);
    }

    [Fact]
    public async Task the_export_job_writes_the_periods_events_with_a_manifest_that_sha256sum_accepts()
    {
        var tenant = ServiceFixture.NewTenant();
        await service.PostAsEmitters(
            Events.ExposureDisclosed("x-1", tenant),
            Events.IdentityVerified("x-2", tenant),
            Events.ExposureDisclosed("x-3", tenant, recipient: "dcas-other"));
        using var client = service.Client(Roles.Admin, tenant);
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");

        var job = await (await client.PostAsync($"/api/v1/jobs/export?period={today}", null)).Json();
        (await service.HangfireJobFinished(job.GetProperty("jobId").GetString()!)).ShouldBe("Succeeded");

        var folder = Path.Combine(service.ExportFolder, tenant, today);
        var lines = await File.ReadAllLinesAsync(Path.Combine(folder, "events.jsonl"));
        lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()).ShouldBe(["x-1", "x-2", "x-3"]);
        lines.ShouldAllBe(l => JsonDocument.Parse(l).RootElement.GetProperty("tenant").GetString() == tenant);

        var check = Process.Start(new ProcessStartInfo("sha256sum", "-c manifest-sha256.txt")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
        })!;
        var output = await check.StandardOutput.ReadToEndAsync();
        await check.WaitForExitAsync();
        check.ExitCode.ShouldBe(0, output);
        output.ShouldContain("events.jsonl: OK");

        // A changed export no longer matches its manifest.
        await File.AppendAllTextAsync(Path.Combine(folder, "events.jsonl"), "{}\n");
        var recheck = Process.Start(new ProcessStartInfo("sha256sum", "--status -c manifest-sha256.txt") { WorkingDirectory = folder })!;
        await recheck.WaitForExitAsync();
        recheck.ExitCode.ShouldNotBe(0);
    }

    [Fact]
    public async Task an_export_period_that_is_not_a_date_is_refused()
    {
        using var client = service.Client(Roles.Admin, ServiceFixture.NewTenant());

        var response = await client.PostAsync("/api/v1/jobs/export?period=last-week", null);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Json()).GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("period");
    }
}
