using Microsoft.Extensions.DependencyInjection;
using Ngrtc.Audit.Contracts;
using Ngrtc.Audit.Service.DeadLetters;
using Ngrtc.Audit.Tests;
using Npgsql;
using Wolverine;
using Ngrtc.Audit.Service.Hosting;

namespace Ngrtc.Audit.IntegrationTests;

// Not side by side with the other: a second host swaps Hangfire's process-wide statics while it lives.
[Collection(ServiceFixture.HangfireGlobals)]
public class DeadLetterAndRestartTests(ServiceFixture service)
{
    [Fact]
    public async Task a_message_dead_lettered_by_an_outage_is_replayed_by_the_admin_command_once_the_outage_is_over()
    {
        var tenant = ServiceFixture.NewTenant();
        await using var database = NpgsqlDataSource.Create(ServiceFixture.ConnectionString);
        var trigger = "outage_" + tenant.Replace('-', '_');
        await Execute(database, $"""
            create function ngrtc.{trigger}() returns trigger language plpgsql as $$
            begin
              if new.tenant_id = '{tenant}' then raise exception 'simulated outage'; end if;
              return new;
            end $$;
            create trigger {trigger} before insert on ngrtc.mt_streams for each row execute function ngrtc.{trigger}();
            """);
        try
        {
            await service.Bus().PublishAsync(AuditEventMessage.Single(Events.ExposureDisclosed("dl-replay", tenant).ToJsonString()));

            // The outage outlasts the retries (0.1 s, 1 s, 5 s): the message is dead-lettered with the reason.
            var letter = await ServiceFixture.Eventually(
                async () => (await DeadLetterAdmin.ListAsync(database, 500, CancellationToken.None))
                    .FirstOrDefault(l => l.Reason?.Contains("simulated outage") == true && !l.Replayable),
                "the outage's dead letter",
                seconds: 60);
            letter.Expires.ShouldNotBeNull();
            (letter.Expires!.Value - letter.FailedAt!.Value).ShouldBe(ServiceFixture.DeadLetterExpiration, TimeSpan.FromSeconds(5));
            (await Api.StoredEventCount(tenant)).ShouldBe(0);
        }
        finally
        {
            await Execute(database, $"drop trigger if exists {trigger} on ngrtc.mt_streams; drop function if exists ngrtc.{trigger}();");
        }

        var dead = (await DeadLetterAdmin.ListAsync(database, 500, CancellationToken.None)).First(l => l.Reason?.Contains("simulated outage") == true && !l.Replayable);
        (await DeadLetterAdmin.ReplayAsync(database, dead.Id, CancellationToken.None)).ShouldBe(1);

        await ServiceFixture.StoredEventsReach(tenant, 1, "the replayed message to be stored", seconds: 60);
    }

    [Fact]
    public async Task an_event_stored_before_a_restart_is_a_duplicate_after_it_on_every_path()
    {
        var tenant = ServiceFixture.NewTenant();
        var e = Events.ExposureDisclosed("restart-1", tenant);
        using (var client = service.Emitter(e))
        {
            (await (await client.PostEvent(e)).Json()).GetProperty("stored").GetInt32().ShouldBe(1);
        }

        // A second service process, started afresh against the same database.
        var restarted = await ServiceFixture.StartServiceProcess();
        try
        {
            using (var client = ServiceFixture.WithToken(restarted.Server.CreateClient(), ServiceFixture.Token(new TokenClaims("nf", [Roles.Emitter], tenant, (string)e["source"]!))))
            {
                (await (await client.PostEvent(e)).Json()).GetProperty("duplicates").GetInt32().ShouldBe(1);
            }

            var bus = restarted.Services.CreateScope().ServiceProvider.GetRequiredService<IMessageBus>();
            await bus.PublishAsync(AuditEventMessage.Single(e.ToJsonString()));
            await bus.PublishAsync(AuditEventMessage.Single(Events.ExposureDisclosed("restart-2", tenant).ToJsonString()));
            await ServiceFixture.StoredEventsReach(tenant, 2, "restart-2");
            await Task.Delay(300);
            (await Api.StoredEventCount(tenant)).ShouldBe(2);
        }
        finally
        {
            await restarted.DisposeAsync();
            service.ReclaimHangfireGlobals();
        }
    }

    private static async Task Execute(NpgsqlDataSource database, string sql)
    {
        await using var command = database.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
