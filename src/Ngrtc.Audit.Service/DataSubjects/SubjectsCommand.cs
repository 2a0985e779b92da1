using System.Text.Json;
using JasperFx.CommandLine;
using Marten;
using Ngrtc.Audit.Protection;
using Npgsql;

namespace Ngrtc.Audit.Service.DataSubjects;

public enum SubjectsAction
{
    erase,
    reveal,
    anonymise_epoch,
    rewrap,
}

public sealed class SubjectsInput : NetCoreInput
{
    [Description("erase (crypto-shred one person), reveal (decrypt one person's values), anonymise_epoch, rewrap (after a KEK rotation)")]
    public SubjectsAction Action { get; set; }

    [Description("the tenant (operator id)")]
    public string TenantFlag { get; set; } = "";

    [Description("the identifier's kind: TelephoneNumber, PublicUserIdentity, Gpsi, PrivateUserIdentity, ThirdPartyId, …")]
    public IdentifierKind KindFlag { get; set; } = IdentifierKind.TelephoneNumber;

    [Description("the person's identifier (any spelling); read from the environment variable NGRTC_SUBJECT if not given, so it stays out of shell history")]
    public string? IdentifierFlag { get; set; }

    [Description("the epoch label, e.g. 2026-10 (anonymise_epoch)")]
    public string? EpochFlag { get; set; }

    [Description("the data-subject request or case id the receipt records")]
    public string CaseFlag { get; set; } = "";

    [Description("why the data is revealed (reveal)")]
    public string PurposeFlag { get; set; } = "data-subject-access";
}

[Description("Data-subject and key operations: erase, reveal, anonymise an epoch, rewrap keys", Name = "subjects")]
public sealed class SubjectsCommand : JasperFxAsyncCommand<SubjectsInput>
{
    public override async Task<bool> Execute(SubjectsInput input)
    {
        using var host = input.BuildHost();
        var services = host.Services;
        var protector = services.GetRequiredService<FieldProtector>();
        var database = services.GetRequiredService<NpgsqlDataSource>();
        var store = services.GetRequiredService<IDocumentStore>();
        var now = DateTimeOffset.UtcNow;
        var identifier = input.IdentifierFlag ?? Environment.GetEnvironmentVariable("NGRTC_SUBJECT");
        switch (input.Action)
        {
            case SubjectsAction.erase:
                var erased = await EraseSubjectHandler.Handle(new EraseSubject(input.TenantFlag, input.KindFlag, Required(identifier), input.CaseFlag, now), protector, database, store, CancellationToken.None);
                Console.WriteLine($"erased: {erased.KeysDestroyed} key(s) destroyed in epochs [{string.Join(", ", erased.Epochs)}], {erased.DeadLettersRemoved} dead letter(s) deleted");
                return true;
            case SubjectsAction.reveal:
                var values = await RevealSubjectHandler.Handle(new RevealSubject(input.TenantFlag, input.KindFlag, Required(identifier), input.CaseFlag, input.PurposeFlag, now), protector, database, store, CancellationToken.None);
                Console.WriteLine(JsonSerializer.Serialize(values, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
                return true;
            case SubjectsAction.anonymise_epoch:
                var epoch = await KeyManagement.AnonymiseAsync(new AnonymiseEpoch(input.TenantFlag, input.EpochFlag ?? throw new ArgumentException("--epoch is required"), now), protector, store, CancellationToken.None);
                Console.WriteLine($"epoch {epoch.Epoch}: pepper destroyed {epoch.PepperDestroyed}, {epoch.DataKeysDestroyed} data key(s) destroyed");
                return true;
            case SubjectsAction.rewrap:
                var rewrap = await KeyManagement.RewrapAsync(new RewrapKeys(input.TenantFlag, now), services.GetRequiredService<KeyRotation>(), store, CancellationToken.None);
                Console.WriteLine($"rewrapped under {rewrap.KekId}: {rewrap.SubjectKeys} data key(s), {rewrap.PeppersAndIndexKeys} pepper(s) and index key(s)");
                return true;
            default:
                return false;
        }
    }

    private static string Required(string? identifier) =>
        string.IsNullOrWhiteSpace(identifier) ? throw new ArgumentException("--identifier (or NGRTC_SUBJECT) is required") : identifier;
}
