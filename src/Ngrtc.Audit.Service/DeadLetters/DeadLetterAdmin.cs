using Ngrtc.Audit.Service.Ingestion;
using Npgsql;

namespace Ngrtc.Audit.Service.DeadLetters;

/// <summary>A dead letter as an administrator sees it: why and when, never the body (it holds personal data).</summary>
public sealed record DeadLetter(
    Guid Id,
    string MessageType,
    string? ReceivedAt,
    string? ExceptionType,
    string? Reason,
    DateTimeOffset? FailedAt,
    DateTimeOffset? Expires,
    bool Replayable,
    int ReplayCount);

/// <summary>
/// Lists and replays the messages the bus refused (Wolverine's dead letters in PostgreSQL). Replaying
/// marks a message replayable; the running service's durability agent moves it back to its inbox and
/// handles it again — useful once the cause (an outage, a missing catalogue type) is gone.
/// </summary>
public static class DeadLetterAdmin
{
    public const string Table = Bus.EnvelopeSchema + ".wolverine_dead_letters";

    public static async Task<IReadOnlyList<DeadLetter>> ListAsync(NpgsqlDataSource database, int limit, CancellationToken ct)
    {
        await using var command = database.CreateCommand(
            $"""
            select id, message_type, received_at, exception_type, exception_message, failed_at, expires,
                   coalesce(replayable, false), coalesce(replay_count, 0)
            from {Table} order by failed_at desc nulls last limit $1
            """);
        command.Parameters.AddWithValue(limit);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var letters = new List<DeadLetter>();
        while (await reader.ReadAsync(ct))
        {
            letters.Add(new DeadLetter(
                reader.GetGuid(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
                reader.GetBoolean(7),
                reader.GetInt32(8)));
        }

        return letters;
    }

    /// <summary>Marks one dead letter (or, with <paramref name="id"/> null, every one) for replay; returns how many.</summary>
    public static async Task<int> ReplayAsync(NpgsqlDataSource database, Guid? id, CancellationToken ct)
    {
        await using var command = id is { } one
            ? database.CreateCommand($"update {Table} set replayable = true where id = $1")
            : database.CreateCommand($"update {Table} set replayable = true where coalesce(replayable, false) = false");
        if (id is { } value)
        {
            command.Parameters.AddWithValue(value);
        }

        return await command.ExecuteNonQueryAsync(ct);
    }
}
