using System.Collections.Concurrent;
using System.Security.Cryptography;
using Npgsql;
using NpgsqlTypes;

namespace Ngrtc.Audit.Protection.Postgres;

/// <summary>
/// <see cref="ISubjectKeyStore"/> on <c>&lt;schema&gt;.subject_keys</c> (<see cref="ProtectionTables"/>). Stateless
/// apart from a small pool of fresh, already wrapped keys per tenant: get-or-create sends candidate keys for every
/// slot it lacks in the same round trip as the lookup, and candidates that lost (the slot had a key) go back to
/// the pool instead of being wrapped for nothing — that matters when wrapping is a KMS call.
/// </summary>
public sealed class PostgresSubjectKeyStore : ISubjectKeyStore
{
    private const int PoolLimit = 4096;
    private const int Attempts = 3;
    private const int EpochChunk = 10_000;

    private readonly NpgsqlDataSource _database;
    private readonly IKeyEncryptionKeyProvider _keks;
    private readonly TimeProvider _time;
    private readonly string _table;
    private readonly string _peppers;
    private readonly ConcurrentDictionary<(string Tenant, string KekId), ConcurrentBag<Fresh>> _pool = new();

    public PostgresSubjectKeyStore(NpgsqlDataSource database, IKeyEncryptionKeyProvider keks, string schema = ProtectionTables.DefaultSchema, TimeProvider? time = null)
    {
        _database = database;
        _keks = keks;
        _time = time ?? TimeProvider.System;
        _table = ProtectionTables.Schema(schema) + ".subject_keys";
        _peppers = schema + ".pseudonym_peppers";
    }

    public async ValueTask<IReadOnlyDictionary<SubjectEpoch, DataKey>> GetOrCreateAsync(string tenant, IReadOnlyCollection<SubjectEpoch> slots, CancellationToken ct = default)
    {
        var result = new Dictionary<SubjectEpoch, DataKey>(slots.Count);
        var wanted = slots.Distinct().ToList();
        for (var attempt = 0; attempt < Attempts && wanted.Count > 0; attempt++)
        {
            var kekId = _keks.CurrentKekId(tenant);
            var candidates = await TakeFreshAsync(tenant, kekId, wanted.Count, ct);
            var offered = new Dictionary<string, Fresh>(StringComparer.Ordinal);
            for (var i = 0; i < wanted.Count; i++)
            {
                offered[candidates[i].KeyId] = candidates[i];
            }

            await using var batch = _database.CreateBatch();
            // 1. Offer a candidate for every slot; a slot that has a live key keeps it, a closed epoch gets none.
            //    In slot order: an insert that meets another transaction's uncommitted row waits for it, and two
            //    batches taking the same slots in different orders would deadlock.
            batch.BatchCommands.Add(Command(
                $"""
                insert into {_table} (tenant_id, key_id, subject_id, epoch, kek_id, wrapped_key, created_at)
                select $1, t.k, t.s, t.e, $2, t.w, $3
                from unnest($4::text[], $5::text[], $6::text[], $7::bytea[]) as t(s, e, k, w)
                where not exists (select 1 from {_peppers} p where p.tenant_id = $1 and p.epoch = t.e and p.destroyed_at is not null)
                order by t.s, t.e
                on conflict (tenant_id, subject_id, epoch) do nothing
                """,
                tenant,
                kekId,
                _time.GetUtcNow(),
                wanted.Select(s => s.Subject.Value).ToArray(),
                wanted.Select(s => s.Epoch.Label).ToArray(),
                candidates.Take(wanted.Count).Select(c => c.KeyId).ToArray(),
                candidates.Take(wanted.Count).Select(c => c.Wrapped.Bytes).ToArray()));
            // 2. Read every slot's live key. A statement of its own, so its snapshot sees what concurrent
            //    transactions committed while ours waited on their conflicting rows.
            batch.BatchCommands.Add(Command(
                $"""
                select k.subject_id, k.epoch, k.key_id, k.kek_id, k.wrapped_key
                from {_table} k join unnest($2::text[], $3::text[]) as t(s, e) on k.subject_id = t.s and k.epoch = t.e
                where k.tenant_id = $1
                """,
                tenant,
                wanted.Select(s => s.Subject.Value).ToArray(),
                wanted.Select(s => s.Epoch.Label).ToArray()));

            var rows = new List<(SubjectEpoch Slot, string KeyId, WrappedKey Wrapped)>();
            try
            {
                await using var reader = await batch.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    var slot = new SubjectEpoch(new SubjectId(reader.GetString(0)), new Epoch(reader.GetString(1)));
                    rows.Add((slot, reader.GetString(2), new WrappedKey(reader.GetString(3), reader.GetFieldValue<byte[]>(4))));
                }
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < Attempts - 1)
            {
                // Ordered inserts should not deadlock; should one still (a lock order PostgreSQL chose), try again.
                ReturnFresh(tenant, kekId, offered.Values);
                continue;
            }

            foreach (var (slot, keyId, wrapped) in rows)
            {
                if (offered.Remove(keyId, out var mine))
                {
                    result[slot] = new DataKey(keyId, mine.Material);
                    CryptographicOperations.ZeroMemory(mine.Material);
                }
                else
                {
                    result[slot] = await UnwrapAsync(tenant, keyId, wrapped, ct);
                }
            }

            ReturnFresh(tenant, kekId, offered.Values);
            wanted = [.. wanted.Where(s => !result.ContainsKey(s))];
            if (wanted.Count > 0 && await FirstClosedEpochAsync(tenant, wanted, ct) is { } closed)
            {
                throw new EpochAnonymisedException(tenant, closed);
            }
        }

        // Only a destroy racing every attempt for the same slot gets here.
        return wanted.Count == 0
            ? result
            : throw new InvalidOperationException($"Could not get or create {wanted.Count} data keys of tenant {tenant} in {Attempts} attempts (concurrent destruction?).");
    }

    public async ValueTask<IReadOnlyDictionary<string, KeyLookup>> FindAsync(string tenant, IReadOnlyCollection<string> keyIds, CancellationToken ct = default)
    {
        var result = keyIds.Distinct(StringComparer.Ordinal).ToDictionary(id => id, _ => KeyLookup.Unknown, StringComparer.Ordinal);
        var rows = new List<(string KeyId, string? KekId, byte[]? Wrapped, DateTimeOffset? DestroyedAt)>();
        await using (var command = _database.CreateCommand(
            $"select key_id, kek_id, wrapped_key, destroyed_at from {_table} where tenant_id = $1 and key_id = any($2)"))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. result.Keys] });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add((
                    reader.GetString(0),
                    reader.IsDBNull(1) ? null : reader.GetString(1),
                    reader.IsDBNull(2) ? null : reader.GetFieldValue<byte[]>(2),
                    reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3)));
            }
        }

        foreach (var (keyId, kekId, wrapped, destroyedAt) in rows)
        {
            result[keyId] = wrapped is null || kekId is null
                ? new KeyLookup.Destroyed(destroyedAt ?? DateTimeOffset.MinValue)
                : new KeyLookup.Found(await UnwrapAsync(tenant, keyId, new WrappedKey(kekId, wrapped), ct));
        }

        return result;
    }

    public async ValueTask<IReadOnlyList<DestroyedKey>> DestroySubjectAsync(string tenant, SubjectId subject, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var command = _database.CreateCommand(
            $"""
            update {_table} set subject_id = null, kek_id = null, wrapped_key = null, destroyed_at = $3
            where tenant_id = $1 and subject_id = $2
            returning key_id, epoch
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = subject.Value });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = at });
        var destroyed = new List<DestroyedKey>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            destroyed.Add(new DestroyedKey(reader.GetString(0), new Epoch(reader.GetString(1))));
        }

        return destroyed;
    }

    public async ValueTask<int> DestroyEpochAsync(string tenant, Epoch epoch, DateTimeOffset at, CancellationToken ct = default)
    {
        // In chunks: an epoch can hold millions of keys, and one huge transaction would hold every row lock at once.
        var total = 0;
        while (true)
        {
            await using var command = _database.CreateCommand(
                $"""
                with doomed as (
                  select key_id from {_table}
                  where tenant_id = $1 and epoch = $2 and destroyed_at is null
                  limit $4 for update)
                update {_table} k set subject_id = null, kek_id = null, wrapped_key = null, destroyed_at = $3
                from doomed where k.tenant_id = $1 and k.key_id = doomed.key_id
                """);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = epoch.Label });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = at });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = EpochChunk });
            var changed = await command.ExecuteNonQueryAsync(ct);
            total += changed;
            if (changed < EpochChunk)
            {
                return total;
            }
        }
    }

    public async ValueTask<IReadOnlyList<string>> ListWrappedUnderOtherKekAsync(string tenant, string kekId, int limit, CancellationToken ct = default)
    {
        await using var command = _database.CreateCommand(
            $"select key_id from {_table} where tenant_id = $1 and wrapped_key is not null and kek_id <> $2 order by key_id limit $3");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = kekId });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public async ValueTask<int> RewrapAsync(string tenant, IReadOnlyCollection<string> keyIds, string kekId, CancellationToken ct = default)
    {
        var rows = new List<(string KeyId, WrappedKey Old)>();
        await using (var select = _database.CreateCommand(
            $"select key_id, kek_id, wrapped_key from {_table} where tenant_id = $1 and key_id = any($2) and wrapped_key is not null and kek_id <> $3"))
        {
            select.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
            select.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. keyIds] });
            select.Parameters.Add(new NpgsqlParameter<string> { TypedValue = kekId });
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add((reader.GetString(0), new WrappedKey(reader.GetString(1), reader.GetFieldValue<byte[]>(2))));
            }
        }

        if (rows.Count == 0)
        {
            return 0;
        }

        var rewrapped = new byte[rows.Count][];
        for (var i = 0; i < rows.Count; i++)
        {
            var context = WrapContexts.SubjectKey(rows[i].KeyId);
            var material = await _keks.UnwrapAsync(tenant, rows[i].Old, context, ct);
            try
            {
                rewrapped[i] = (await _keks.WrapAsync(tenant, kekId, material, context, ct)).Bytes;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(material);
            }
        }

        // Only rows still under the KEK read above: a key destroyed meanwhile stays destroyed.
        await using var update = _database.CreateCommand(
            $"""
            update {_table} k set kek_id = $2, wrapped_key = u.w
            from unnest($3::text[], $4::text[], $5::bytea[]) as u(id, old, w)
            where k.tenant_id = $1 and k.key_id = u.id and k.kek_id = u.old and k.wrapped_key is not null
            """);
        update.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
        update.Parameters.Add(new NpgsqlParameter<string> { TypedValue = kekId });
        update.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. rows.Select(r => r.KeyId)] });
        update.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. rows.Select(r => r.Old.KekId)] });
        update.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = rewrapped, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        return await update.ExecuteNonQueryAsync(ct);
    }

    private async ValueTask<DataKey> UnwrapAsync(string tenant, string keyId, WrappedKey wrapped, CancellationToken ct)
    {
        var material = await _keks.UnwrapAsync(tenant, wrapped, WrapContexts.SubjectKey(keyId), ct);
        try
        {
            return new DataKey(keyId, material);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    private async ValueTask<Epoch?> FirstClosedEpochAsync(string tenant, IReadOnlyList<SubjectEpoch> slots, CancellationToken ct)
    {
        await using var command = _database.CreateCommand(
            $"select epoch from {_peppers} where tenant_id = $1 and epoch = any($2) and destroyed_at is not null order by epoch limit 1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. slots.Select(s => s.Epoch.Label).Distinct()] });
        return await command.ExecuteScalarAsync(ct) is string label ? new Epoch(label) : null;
    }

    private async ValueTask<List<Fresh>> TakeFreshAsync(string tenant, string kekId, int count, CancellationToken ct)
    {
        var fresh = new List<Fresh>(count);
        var bag = _pool.GetOrAdd((tenant, kekId), _ => []);
        while (fresh.Count < count && bag.TryTake(out var pooled))
        {
            fresh.Add(pooled);
        }

        while (fresh.Count < count)
        {
            var keyId = KeyIds.New();
            var material = RandomNumberGenerator.GetBytes(DataKey.Size);
            var wrapped = await _keks.WrapAsync(tenant, kekId, material, WrapContexts.SubjectKey(keyId), ct);
            fresh.Add(new Fresh(keyId, material, wrapped));
        }

        return fresh;
    }

    private void ReturnFresh(string tenant, string kekId, IEnumerable<Fresh> unused)
    {
        var bag = _pool.GetOrAdd((tenant, kekId), _ => []);
        foreach (var fresh in unused)
        {
            if (bag.Count < PoolLimit)
            {
                bag.Add(fresh);
            }
            else
            {
                CryptographicOperations.ZeroMemory(fresh.Material);
            }
        }
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(value switch
            {
                byte[][] bytes => new NpgsqlParameter { Value = bytes, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea },
                _ => new NpgsqlParameter { Value = value },
            });
        }

        return command;
    }

    /// <summary>A new key not yet assigned to anyone: its id, material and its wrap (bound to its id).</summary>
    private sealed record Fresh(string KeyId, byte[] Material, WrappedKey Wrapped);
}
