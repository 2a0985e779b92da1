using Weasel.Core;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Ngrtc.Audit.Protection.Postgres;

/// <summary>
/// The key tables as Weasel schema objects, for Marten's migrations
/// (<c>opts.Storage.ExtendedSchemaObjects.AddRange(ProtectionTables.All())</c>) or <c>MigrateAsync</c>.
/// <list type="bullet">
/// <item><c>subject_keys</c>: one row per (tenant, subject, epoch) key. Destroyed: <c>wrapped_key</c>, <c>kek_id</c>
/// and <c>subject_id</c> null, <c>destroyed_at</c> set — the row says "this key existed and is gone", not whose it was.
/// The unique index on (tenant, subject, epoch) lets get-or-create insert … on conflict do nothing; destroyed rows,
/// whose subject id is null, never conflict, so a person erased today gets a fresh key for tomorrow's events.</item>
/// <item><c>pseudonym_peppers</c>: one row per (tenant, epoch); destroyed: <c>wrapped</c> and <c>kek_id</c> null. The row
/// stays, so a destroyed epoch never gets a new pepper.</item>
/// <item><c>subject_index_keys</c>: one row per tenant, the key subject ids are computed with.</item>
/// </list>
/// </summary>
public static class ProtectionTables
{
    public const string DefaultSchema = "ngrtc";

    private const string Timestamp = "timestamp with time zone";

    public static Table SubjectKeys(string schema = DefaultSchema)
    {
        var table = new Table(new PostgresqlObjectName(Schema(schema), "subject_keys", SchemaUtils.IdentifierUsage.General));
        table.AddColumn("tenant_id", "text").AsPrimaryKey();
        table.AddColumn("key_id", "text").AsPrimaryKey();
        table.AddColumn("subject_id", "text").AllowNulls();
        table.AddColumn("epoch", "text").NotNull();
        table.AddColumn("kek_id", "text").AllowNulls();
        table.AddColumn("wrapped_key", "bytea").AllowNulls();
        table.AddColumn("created_at", Timestamp).NotNull();
        table.AddColumn("destroyed_at", Timestamp).AllowNulls();
        table.Indexes.Add(new IndexDefinition("ix_subject_keys_slot") { Columns = ["tenant_id", "subject_id", "epoch"], IsUnique = true });
        table.Indexes.Add(new IndexDefinition("ix_subject_keys_epoch") { Columns = ["tenant_id", "epoch"] });
        table.Indexes.Add(new IndexDefinition("ix_subject_keys_kek") { Columns = ["tenant_id", "kek_id"], Predicate = "wrapped_key is not null" });
        return table;
    }

    public static Table PseudonymPeppers(string schema = DefaultSchema)
    {
        var table = new Table(new PostgresqlObjectName(Schema(schema), "pseudonym_peppers", SchemaUtils.IdentifierUsage.General));
        table.AddColumn("tenant_id", "text").AsPrimaryKey();
        table.AddColumn("epoch", "text").AsPrimaryKey();
        table.AddColumn("kek_id", "text").AllowNulls();
        table.AddColumn("wrapped", "bytea").AllowNulls();
        table.AddColumn("created_at", Timestamp).NotNull();
        table.AddColumn("destroyed_at", Timestamp).AllowNulls();
        return table;
    }

    public static Table SubjectIndexKeys(string schema = DefaultSchema)
    {
        var table = new Table(new PostgresqlObjectName(Schema(schema), "subject_index_keys", SchemaUtils.IdentifierUsage.General));
        table.AddColumn("tenant_id", "text").AsPrimaryKey();
        table.AddColumn("kek_id", "text").NotNull();
        table.AddColumn("wrapped", "bytea").NotNull();
        table.AddColumn("created_at", Timestamp).NotNull();
        return table;
    }

    public static ISchemaObject[] All(string schema = DefaultSchema) =>
        [SubjectKeys(schema), PseudonymPeppers(schema), SubjectIndexKeys(schema)];

    /// <summary>Requires a plain lower-case identifier (it is put into SQL as it is).</summary>
    internal static string Schema(string schema) =>
        schema is { Length: > 0 and <= 63 } && (char.IsAsciiLetterLower(schema[0]) || schema[0] == '_')
        && schema.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')
            ? schema
            : throw new ArgumentException("A schema name is 1–63 characters of a-z, 0-9 and '_', not starting with a digit.", nameof(schema));
}
