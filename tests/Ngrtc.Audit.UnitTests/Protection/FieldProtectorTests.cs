using Ngrtc.Audit.Protection;

namespace Ngrtc.Audit.UnitTests.Protection;

public class FieldProtectorTests
{
    private static readonly DateTimeOffset November = new(2026, 11, 28, 10, 15, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset December = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2026, 12, 20, 12, 0, 0, TimeSpan.Zero);
    private const string Caller = "tel:+491555000001";
    private const string Callee = "sip:+491555000002@ims.example.org";

    private readonly ConfiguredKeyEncryptionKeys _keks = ConfiguredKeyEncryptionKeys.For("op-1", "v1", ("v1", new byte[32]));
    private readonly InMemoryKeyStoresForTests _stores;
    private readonly FieldProtector _protector;

    public FieldProtectorTests()
    {
        _stores = new InMemoryKeyStoresForTests(_keks);
        _protector = new FieldProtector(_stores, _stores);
    }

    private static ProtectionRequest Orig(string eventId, string value = Caller, DateTimeOffset? time = null, string tenant = "op-1") =>
        new(tenant, eventId, time ?? November, "/orig", IdentifierKind.TelephoneNumber, value);

    private static ProtectionRequest Dest(string eventId, string value = Callee, DateTimeOffset? time = null) =>
        new("op-1", eventId, time ?? November, "/dest", IdentifierKind.PublicUserIdentity, value);

    [Fact]
    public async Task protect_then_reveal_gives_the_value_as_received()
    {
        var request = Orig("e-1", "tel:+49-1555-000001");

        var protectedValue = await _protector.ProtectAsync(request);

        protectedValue.Pseudonym.ShouldStartWith("p1.2026-11.");
        protectedValue.Ciphertext.ShouldStartWith($"enc1.{protectedValue.KeyId}.");
        (await _protector.RevealAsync(new RevealRequest("op-1", "e-1", "/orig", protectedValue.Ciphertext))).ShouldBe(new RevealResult.Plain("tel:+49-1555-000001"));
    }

    [Fact]
    public async Task one_person_in_many_spellings_has_one_pseudonym_and_one_key_per_epoch()
    {
        var results = await _protector.ProtectAsync([
            Orig("e-1", "tel:+491555000001"),
            Orig("e-2", "+49 1555 000001"),
            Dest("e-3", "sip:+491555000001@ims.example.org;user=phone"),
            Orig("e-4", "tel:+491555000001", December),
        ]);

        results.Take(3).Select(r => r.Pseudonym).Distinct().ShouldHaveSingleItem();
        results.Take(3).Select(r => r.KeyId).Distinct().ShouldHaveSingleItem();
        results[3].Pseudonym.ShouldStartWith("p1.2026-12.");
        results[3].Pseudonym[11..].ShouldNotBe(results[0].Pseudonym[11..]);
        results[3].KeyId.ShouldNotBe(results[0].KeyId);
        _stores.KeyRows.Select(k => k.Subject).Distinct().ShouldHaveSingleItem();
    }

    [Fact]
    public async Task tenants_never_share_pseudonyms_or_keys()
    {
        var keks = ConfiguredKeyEncryptionKeys.For("*", "v1", ("v1", new byte[32]));
        var stores = new InMemoryKeyStoresForTests(keks);
        var protector = new FieldProtector(stores, stores);

        var results = await protector.ProtectAsync([Orig("e-1", tenant: "op-1"), Orig("e-1", tenant: "op-2")]);

        results[0].Pseudonym.ShouldNotBe(results[1].Pseudonym);
        results[0].KeyId.ShouldNotBe(results[1].KeyId);
        (await protector.RevealAsync(new RevealRequest("op-2", "e-1", "/orig", results[0].Ciphertext))).ShouldBeOfType<RevealResult.Tampered>();
    }

    [Fact]
    public async Task a_batch_fetches_its_missing_keys_in_one_call_per_tenant_and_then_uses_the_cache()
    {
        var batch = Enumerable.Range(0, 50).SelectMany(i => new[] { Orig($"e-{i}", $"tel:+4915550{i:D5}"), Dest($"e-{i}", $"sip:+4915551{i:D5}@ims.example.org") }).ToList();

        await _protector.ProtectAsync(batch);
        await _protector.ProtectAsync(batch);

        _stores.GetOrCreateCalls.ShouldBe(1);
        _stores.KeyRows.Count.ShouldBe(100);
    }

    [Fact]
    public async Task prepare_then_protect_synchronously()
    {
        var request = Orig("e-1");

        Should.Throw<InvalidOperationException>(() => _protector.Protect(request)).Message.ShouldNotContain("1555000001");
        await _protector.PrepareAsync([request]);
        var protectedValue = _protector.Protect(request);

        protectedValue.Pseudonym.ShouldBe((await _protector.ProtectAsync(request)).Pseudonym);
        (await _protector.RevealAsync(new RevealRequest("op-1", "e-1", "/orig", protectedValue.Ciphertext))).ShouldBe(new RevealResult.Plain(Caller));
    }

    [Fact]
    public async Task shredding_one_party_leaves_the_other_party_of_the_same_call_readable()
    {
        var results = await _protector.ProtectAsync([Orig("e-1"), Dest("e-1"), Orig("e-2", time: December)]);

        var summary = await _protector.DestroySubjectAsync("op-1", IdentifierKind.PublicUserIdentity, "sip:+491555000001@ims.example.org;user=phone", Now);

        summary.KeyCount.ShouldBe(2);
        summary.Epochs.Select(e => e.Label).ShouldBe(["2026-11", "2026-12"]);
        summary.ToString().ShouldNotContain("1555000001");
        var reads = await _protector.RevealAsync([
            new RevealRequest("op-1", "e-1", "/orig", results[0].Ciphertext),
            new RevealRequest("op-1", "e-1", "/dest", results[1].Ciphertext),
            new RevealRequest("op-1", "e-2", "/orig", results[2].Ciphertext),
        ]);
        reads[0].ShouldBe(new RevealResult.Erased(results[0].KeyId, Now));
        reads[1].ShouldBe(new RevealResult.Plain(Callee));
        reads[2].ShouldBe(new RevealResult.Erased(results[2].KeyId, Now));
    }

    [Fact]
    public async Task after_shredding_the_erased_marker_comes_from_the_store_too_and_new_events_get_a_new_key()
    {
        var before = await _protector.ProtectAsync(Orig("e-1"));
        await _protector.DestroySubjectAsync("op-1", IdentifierKind.TelephoneNumber, Caller, Now);

        var fresh = new FieldProtector(_stores, _stores);
        (await fresh.RevealAsync(new RevealRequest("op-1", "e-1", "/orig", before.Ciphertext))).ShouldBe(new RevealResult.Erased(before.KeyId, Now));
        var after = await fresh.ProtectAsync(Orig("e-9"));
        after.KeyId.ShouldNotBe(before.KeyId);
        after.Pseudonym.ShouldBe(before.Pseudonym);
        (await fresh.RevealAsync(new RevealRequest("op-1", "e-9", "/orig", after.Ciphertext))).ShouldBe(new RevealResult.Plain(Caller));
        _stores.KeyRows.Single(k => k.KeyId == before.KeyId).Subject.ShouldBeNull();
        (await _protector.DestroySubjectAsync("op-1", IdentifierKind.TelephoneNumber, "nobody", Now)).KeyCount.ShouldBe(0);
    }

    [Fact]
    public async Task destroying_an_epoch_erases_its_values_closes_it_and_leaves_other_epochs_alone()
    {
        var results = await _protector.ProtectAsync([Orig("e-1"), Dest("e-1"), Orig("e-2", time: December)]);
        var novemberPseudonym = await _protector.PseudonymAsync("op-1", new Epoch("2026-11"), IdentifierKind.TelephoneNumber, Caller);
        novemberPseudonym.ShouldBe(results[0].Pseudonym);

        var summary = await _protector.DestroyEpochAsync("op-1", new Epoch("2026-11"), Now);

        summary.ShouldBe(new EpochAnonymisationSummary("op-1", new Epoch("2026-11"), true, 2, Now));
        (await _protector.RevealAsync(new RevealRequest("op-1", "e-1", "/dest", results[1].Ciphertext))).ShouldBeOfType<RevealResult.Erased>();
        (await _protector.RevealAsync(new RevealRequest("op-1", "e-2", "/orig", results[2].Ciphertext))).ShouldBe(new RevealResult.Plain(Caller));
        await Should.ThrowAsync<EpochAnonymisedException>(async () => await _protector.PseudonymAsync("op-1", new Epoch("2026-11"), IdentifierKind.TelephoneNumber, Caller));
        var late = await Should.ThrowAsync<EpochAnonymisedException>(async () => await _protector.ProtectAsync(Orig("e-late")));
        late.FieldPath.ShouldBe("/orig");
        late.Message.ShouldNotContain("1555000001");
        (await _protector.IsEpochAnonymisedAsync("op-1", new Epoch("2026-11"))).ShouldBeTrue();
        (await new FieldProtector(_stores, _stores).IsEpochAnonymisedAsync("op-1", new Epoch("2026-11"))).ShouldBeTrue();
        (await _protector.DestroyEpochAsync("op-1", new Epoch("2026-11"), Now)).ShouldBe(new EpochAnonymisationSummary("op-1", new Epoch("2026-11"), false, 0, Now));
    }

    [Fact]
    public async Task rotation_rewraps_every_key_and_pepper_and_values_stay_readable_after_the_old_kek_is_retired()
    {
        var old = new byte[32];
        var next = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var rotating = ConfiguredKeyEncryptionKeys.For("op-1", "v1", ("v1", old));
        var stores = new InMemoryKeyStoresForTests(rotating);
        var results = await new FieldProtector(stores, stores).ProtectAsync([Orig("e-1"), Dest("e-1"), Orig("e-2", time: December)]);

        var rotated = ConfiguredKeyEncryptionKeys.For("op-1", "v2", ("v1", old), ("v2", next));
        var restoredStores = Rebind(stores, rotated);
        var summary = await new KeyRotation(rotated, restoredStores, restoredStores).RewrapAsync("op-1", pageSize: 2);

        summary.ShouldBe(new RewrapSummary("op-1", "v2", 3, 3)); // 3 data keys; 2 peppers + the subject-index key
        restoredStores.KeyRows.ShouldAllBe(k => k.Wrapped!.KekId == "v2");
        var retired = Rebind(restoredStores, ConfiguredKeyEncryptionKeys.For("op-1", "v2", ("v2", next)));
        (await new FieldProtector(retired, retired).RevealAsync(new RevealRequest("op-1", "e-1", "/dest", results[1].Ciphertext))).ShouldBe(new RevealResult.Plain(Callee));
        (await new KeyRotation(rotated, restoredStores, restoredStores).RewrapAsync("op-1")).ShouldBe(new RewrapSummary("op-1", "v2", 0, 0));
    }

    [Fact]
    public async Task blank_values_and_bad_context_are_refused_naming_the_field_never_the_value()
    {
        var blank = await Should.ThrowAsync<ArgumentException>(async () => await _protector.ProtectAsync(Orig("e-1", "  ")));
        blank.Message.ShouldContain("/orig");
        await Should.ThrowAsync<ArgumentException>(async () => await _protector.ProtectAsync(Orig("e\0", Caller)));
        Orig("e-1").ToString().ShouldNotContain("1555000001");
    }

    [Fact]
    public async Task a_tampered_or_unknown_reveal_is_a_result_not_an_exception()
    {
        var protectedValue = await _protector.ProtectAsync(Orig("e-1"));

        var reads = await _protector.RevealAsync([
            new RevealRequest("op-1", "e-2", "/orig", protectedValue.Ciphertext),
            new RevealRequest("op-1", "e-1", "/orig", "enc1." + KeyIds.New() + "." + protectedValue.Ciphertext.Split('.')[2]),
            new RevealRequest("op-1", "e-1", "/orig", "garbage"),
        ]);

        reads[0].ShouldBe(new RevealResult.Tampered(protectedValue.KeyId, TamperReason.AuthenticationFailed));
        reads[1].ShouldBeOfType<RevealResult.Tampered>().Reason.ShouldBe(TamperReason.UnknownKey);
        reads[2].ShouldBe(new RevealResult.Tampered(null, TamperReason.Malformed));
    }

    /// <summary>The same rows seen through another KEK provider, as after a configuration change and restart.</summary>
    private static InMemoryKeyStoresForTests Rebind(InMemoryKeyStoresForTests stores, IKeyEncryptionKeyProvider keks) =>
        stores.WithProvider(keks);
}
