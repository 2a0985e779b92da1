using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Ngrtc.Audit.Service.Ingestion;

public sealed class GroupCommitOptions
{
    public const string Section = "Ngrtc:Ingestion";

    /// <summary>The most events one transaction takes; submissions beyond it wait for the next.</summary>
    public int MaxEventsPerTransaction { get; set; } = 2000;

    /// <summary>Transactions in flight at once.</summary>
    public int Writers { get; set; } = 2;
}

/// <summary>
/// Group commit: every caller — a bus message handler, an HTTP request — submits its events and awaits
/// their outcome, while writers drain whatever has accumulated into one transaction. One transaction
/// per message caps ingestion near 1k/s; grouping concurrent submissions lifts that without changing
/// what a caller sees (its own outcomes, or its own exception to retry or dead-letter).
/// </summary>
public sealed class GroupCommit : BackgroundService
{
    private readonly Channel<Submission> _queue = Channel.CreateUnbounded<Submission>(new UnboundedChannelOptions { SingleWriter = false });
    private readonly AuditAppender _appender;
    private readonly GroupCommitOptions _options;
    private readonly ILogger<GroupCommit> _logger;

    public GroupCommit(AuditAppender appender, IOptions<GroupCommitOptions> options, ILogger<GroupCommit> logger)
    {
        _appender = appender;
        _options = options.Value;
        _logger = logger;
    }

    public async Task<IReadOnlyList<AppendOutcome>> AppendAsync(IReadOnlyList<IncomingEvent> events, CancellationToken ct)
    {
        var submission = new Submission(events, new TaskCompletionSource<IReadOnlyList<AppendOutcome>>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(submission, ct);
        return await submission.Outcome.Task.WaitAsync(ct);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Math.Max(1, _options.Writers)).Select(_ => WriteLoop(stoppingToken)));

    private async Task WriteLoop(CancellationToken stoppingToken)
    {
        var group = new List<Submission>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                group.Clear();
                var count = 0;
                while (count < _options.MaxEventsPerTransaction && _queue.Reader.TryRead(out var next))
                {
                    group.Add(next);
                    count += next.Events.Count;
                }

                await Commit(group, count);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: callers still waiting are cancelled with their own tokens.
        }
    }

    private async Task Commit(List<Submission> group, int count)
    {
        if (group.Count == 0)
        {
            return;
        }

        try
        {
            // Not the host's stopping token: a commit under way finishes, so its callers learn the truth.
            // Outcomes come back in the order of the events, so each submission takes its own slice.
            var outcomes = await _appender.AppendAsync([.. group.SelectMany(s => s.Events)], CancellationToken.None);
            var offset = 0;
            foreach (var submission in group)
            {
                submission.Outcome.TrySetResult([.. outcomes.Skip(offset).Take(submission.Events.Count)]);
                offset += submission.Events.Count;
            }
        }
        catch (Exception e) when (group.Count > 1)
        {
            // One submission may be the cause (a poisoned tenant, a conflict): commit each alone, so the
            // others succeed and only the cause's own caller sees the failure.
            _logger.LogWarning("A group commit of {Events} events from {Submissions} submissions failed ({Error}); committing them one by one", count, group.Count, e.GetType().Name);
            foreach (var submission in group)
            {
                await Commit([submission], submission.Events.Count);
            }
        }
        catch (Exception e)
        {
            group[0].Outcome.TrySetException(e);
        }
    }

    private sealed record Submission(IReadOnlyList<IncomingEvent> Events, TaskCompletionSource<IReadOnlyList<AppendOutcome>> Outcome);
}
