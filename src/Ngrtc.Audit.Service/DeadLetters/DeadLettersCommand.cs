using JasperFx.CommandLine;
using Ngrtc.Audit.Service.Hosting;
using Npgsql;

namespace Ngrtc.Audit.Service.DeadLetters;

public enum DeadLettersAction
{
    list,
    replay,
}

public sealed class DeadLettersInput
{
    [Description("list (newest first, reasons only) or replay")]
    public DeadLettersAction Action { get; set; } = DeadLettersAction.list;

    [Description("replay only this dead letter (its id from list); without it, replay all")]
    public string? IdFlag { get; set; }

    [Description("list at most this many")]
    public int LimitFlag { get; set; } = 50;
}

[Description("List or replay the bus messages the service refused", Name = "dead-letters")]
public sealed class DeadLettersCommand : JasperFxAsyncCommand<DeadLettersInput>
{
    public DeadLettersCommand()
    {
        Usage("List or replay dead letters").Arguments(x => x.Action);
    }

    public override async Task<bool> Execute(DeadLettersInput input)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var connection = configuration.GetConnectionString(AuditStore.ConnectionStringName)
            ?? throw new InvalidOperationException($"ConnectionStrings__{AuditStore.ConnectionStringName} is required.");
        await using var database = NpgsqlDataSource.Create(connection);
        if (input.Action == DeadLettersAction.replay)
        {
            Guid? id = input.IdFlag is null ? null : Guid.Parse(input.IdFlag);
            var marked = await DeadLetterAdmin.ReplayAsync(database, id, CancellationToken.None);
            Console.WriteLine($"{marked} dead letter(s) marked for replay; the running service picks them up within seconds.");
            return marked > 0 || id is null;
        }

        var letters = await DeadLetterAdmin.ListAsync(database, input.LimitFlag, CancellationToken.None);
        foreach (var letter in letters)
        {
            Console.WriteLine($"{letter.Id}  {letter.FailedAt:u}  expires {letter.Expires:u}  {(letter.Replayable ? "replaying" : "dead")}  {letter.ReceivedAt}  {letter.Reason}");
        }

        Console.WriteLine($"{letters.Count} dead letter(s) shown");
        return true;
    }
}
