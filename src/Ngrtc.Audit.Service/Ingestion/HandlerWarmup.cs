using Ngrtc.Audit.Contracts;
using Wolverine.Runtime;

namespace Ngrtc.Audit.Service.Ingestion;

/// <summary>
/// Builds the ingestion handler's generated code while the service starts, not when the first message
/// arrives: compiling it takes seconds of CPU (Roslyn), which would otherwise stall the first messages
/// after every start. The HTTP server starts listening, and the service reports ready, only afterwards.
/// </summary>
public sealed class HandlerWarmup(IWolverineRuntime runtime, ILogger<HandlerWarmup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        ((WolverineRuntime)runtime).Handlers.HandlerFor(typeof(AuditEventMessage));
        logger.LogInformation("Ingestion handler ready in {Milliseconds} ms", started.ElapsedMilliseconds);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
