using Marten;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Protection;
using Ngrtc.Audit.Service.Hosting;

namespace Ngrtc.Audit.Service.DataSubjects;

/// <summary>Anonymise an epoch of a tenant: its pseudonym pepper (and data keys) destroyed.</summary>
public sealed record AnonymiseEpoch(string Tenant, string Epoch, DateTimeOffset At);

/// <summary>Rewrap a tenant's data keys and peppers under its current key-encryption key (after rotating it).</summary>
public sealed record RewrapKeys(string Tenant, DateTimeOffset At);

public static class KeyManagement
{
    /// <summary>
    /// Destroying the epoch's pepper makes its pseudonyms unlinkable to any identifier: nobody can compute
    /// them again. Its data keys go too, so its ciphertexts are unreadable. Receipt: the epoch and counts.
    /// </summary>
    public static async Task<EpochAnonymisationSummary> AnonymiseAsync(AnonymiseEpoch command, FieldProtector protector, IDocumentStore store, CancellationToken ct)
    {
        var summary = await protector.DestroyEpochAsync(command.Tenant, new Epoch(command.Epoch), command.At, ct);
        await store.AppendReceiptAsync(
            command.Tenant, SubjectReceiptStreams.Keys, new EpochAnonymised(command.Epoch, summary.PepperDestroyed, summary.DataKeysDestroyed, command.At), ct);
        return summary;
    }

    /// <summary>Every wrapped key of the tenant rewrapped under the current KEK; no event is rewritten.</summary>
    public static async Task<RewrapSummary> RewrapAsync(RewrapKeys command, KeyRotation rotation, IDocumentStore store, CancellationToken ct)
    {
        var summary = await rotation.RewrapAsync(command.Tenant, ct: ct);
        await store.AppendReceiptAsync(
            command.Tenant, SubjectReceiptStreams.Keys, new KeysRewrapped(summary.KekId, summary.SubjectKeys, summary.PeppersAndIndexKeys, command.At), ct);
        return summary;
    }
}
