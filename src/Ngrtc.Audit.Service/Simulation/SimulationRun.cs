using System.Diagnostics;
using Ngrtc.Audit.Contracts;

namespace Ngrtc.Audit.Service.Simulation;

/// <summary>How much to send, how fast and how: <paramref name="Rate"/> events/s (0: as fast as the transport takes them).</summary>
public sealed record SimulationPlan(int Rate, TimeSpan? Duration, long? Events, int BatchSize, int Publishers, int Tenants, int Seed);

public sealed record SimulationResult(long Events, long Messages, TimeSpan Elapsed)
{
    public double EventsPerSecond => Events / Math.Max(Elapsed.TotalSeconds, 1e-9);
}

/// <summary>Runs a plan: several publishers, each with its own reproducible traffic (seed + publisher index), paced to the rate.</summary>
public static class SimulationRun
{
    public static async Task<SimulationResult> RunAsync(SimulationPlan plan, IAuditPublisher publisher, TimeProvider clock, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        var perPublisherEvents = plan.Events is { } total ? (long?)Math.Max(1, total / plan.Publishers) : null;
        var results = await Task.WhenAll(Enumerable.Range(0, plan.Publishers).Select(i => Task.Run(
            () => PublishLoop(plan, i, perPublisherEvents, publisher, clock, stopwatch, ct), ct)));
        return new SimulationResult(results.Sum(r => r.Events), results.Sum(r => r.Messages), stopwatch.Elapsed);
    }

    private static async Task<(long Events, long Messages)> PublishLoop(
        SimulationPlan plan, int index, long? eventBudget, IAuditPublisher publisher, TimeProvider clock, Stopwatch stopwatch, CancellationToken ct)
    {
        var traffic = new SimulatedTraffic(plan.Seed * 1000 + index, plan.Tenants);
        var ratePerPublisher = plan.Rate > 0 ? plan.Rate / (double)plan.Publishers : 0;
        long events = 0, messages = 0;
        while (!ct.IsCancellationRequested)
        {
            if (eventBudget is { } budget && events >= budget || plan.Duration is { } d && stopwatch.Elapsed >= d)
            {
                break;
            }

            var size = (int)Math.Min(plan.BatchSize, eventBudget is { } b ? b - events : plan.BatchSize);
            var now = clock.GetUtcNow();
            var message = size == 1
                ? AuditEventMessage.Single(traffic.NextEvent(now))
                : AuditEventMessage.Batch(traffic.NextBatch(now, size));
            await publisher.PublishAsync(message, ct);
            events += size;
            messages++;

            if (ratePerPublisher > 0)
            {
                var due = TimeSpan.FromSeconds(events / ratePerPublisher);
                if (due > stopwatch.Elapsed)
                {
                    await Task.Delay(due - stopwatch.Elapsed, ct);
                }
            }
        }

        return (events, messages);
    }
}
