using Wolverine;

namespace Ngrtc.Audit.Service.Retention;

/// <summary>The Hangfire job: no arguments, hands the work to the handler.</summary>
public sealed class RetentionJob(IMessageBus bus, TimeProvider clock)
{
    public const string RecurringId = "retention-sweep";

    public Task Run() => bus.InvokeAsync<RetentionSweepResult>(new RunRetentionSweep(clock.GetUtcNow()));
}
