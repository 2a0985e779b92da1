using Microsoft.Extensions.Options;
using Ngrtc.Audit.Service.Ingestion;
using Npgsql;

namespace Ngrtc.Audit.Service.DeadLetters;

/// <summary>
/// Holds every dead letter to <see cref="BusOptions.DeadLetterExpiration"/> after it failed. Wolverine dates a dead
/// letter's expiry from the message's own deliver-by when it has one, and an emitter sets that (the
/// <c>deliver-by</c> header over AMQP): a refused event, personal data included, would otherwise stay as long as its
/// sender asked. Each sweep brings a later expiry back to the bound (an earlier one stays); Wolverine's own cleanup
/// then deletes what has expired. A shorter configured lifetime applies to the dead letters already kept, too.
/// </summary>
public sealed class DeadLetterLifetime(NpgsqlDataSource database, IOptions<BusOptions> options, TimeProvider clock, ILogger<DeadLetterLifetime> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var bus = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var bounded = await BoundAsync(database, bus.DeadLetterExpiration, stoppingToken);
                if (bounded > 0)
                {
                    logger.LogInformation("{Count} dead letter(s) asked to be kept longer than {Lifetime}; their expiry was brought back to it", bounded, bus.DeadLetterExpiration);
                }
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                // Wolverine has not created its tables yet (first start): nothing to bound.
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                logger.LogWarning("Bounding dead letters' lifetime failed ({Error}); retrying", e.GetType().Name);
            }

            await Task.Delay(bus.DeadLetterSweepInterval, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Brings every expiry later than the first failure Wolverine recorded (its first_failed_at, else failed_at) +
    /// <paramref name="lifetime"/> back to it; returns how many changed.
    /// </summary>
    public static async Task<int> BoundAsync(NpgsqlDataSource database, TimeSpan lifetime, CancellationToken ct)
    {
        await using var command = database.CreateCommand(
            $"""
            update {DeadLetterAdmin.Table} set expires = coalesce(first_failed_at, failed_at, now()) + $1
            where expires is null or expires > coalesce(first_failed_at, failed_at, now()) + $1
            """);
        command.Parameters.AddWithValue(lifetime);
        return await command.ExecuteNonQueryAsync(ct);
    }
}
