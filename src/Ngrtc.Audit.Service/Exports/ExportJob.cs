using System.Globalization;
using Wolverine;

namespace Ngrtc.Audit.Service.Exports;

/// <summary>The Hangfire job: takes a date only (yyyy-MM-dd, or none for yesterday, UTC).</summary>
public sealed class ExportJob(IMessageBus bus, TimeProvider clock)
{
    public const string RecurringId = "compliance-export";

    public Task Run(string? period)
    {
        var day = period is null
            ? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(-1)
            : DateOnly.ParseExact(period, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        return bus.InvokeAsync<ExportResult>(new RunExport(day));
    }
}
