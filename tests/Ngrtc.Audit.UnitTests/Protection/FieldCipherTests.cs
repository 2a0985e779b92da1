using System.Buffers.Text;
using Ngrtc.Audit.Protection;

namespace Ngrtc.Audit.UnitTests.Protection;

public class FieldCipherTests
{
    private static readonly DataKey Key = new("k1", [.. Enumerable.Range(0, 32).Select(i => (byte)(i * 3))]);
    private static readonly KeyLookup Found = new KeyLookup.Found(Key);
    private const string Tenant = "op-1";
    private const string EventId = "urn:ngrtc:nf:IBCF:ibcf-1 v-1";
    private const string Path = "/orig";
    private const string Value = "tel:+491555000001";

    private static string Sealed(string value = Value) => FieldCipher.Encrypt(Key, Tenant, EventId, Path, value);

    [Fact]
    public void round_trip()
    {
        FieldCipher.Decrypt(Found, Tenant, EventId, Path, Sealed()).ShouldBe(new RevealResult.Plain(Value));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Jürgen Müller 👩‍💼")]
    [InlineData("\"Anna\" <sip:anna@example.org>")]
    public void round_trip_of_any_text(string value) =>
        FieldCipher.Decrypt(Found, Tenant, EventId, Path, Sealed(value)).ShouldBe(new RevealResult.Plain(value));

    [Fact]
    public void the_format_is_enc1_key_id_and_nonce_ciphertext_tag()
    {
        var text = Sealed();
        var parts = text.Split('.');

        parts.Length.ShouldBe(3);
        parts[0].ShouldBe("enc1");
        parts[1].ShouldBe("k1");
        Base64Url.DecodeFromChars(parts[2]).Length.ShouldBe(12 + Value.Length + 16);
        text.ShouldNotContain("1555000001");
        FieldCipher.TryReadKeyId(text, out var keyId).ShouldBeTrue();
        keyId.ShouldBe("k1");
    }

    [Fact]
    public void every_encryption_has_its_own_nonce_across_refills_of_the_nonce_buffer()
    {
        Sealed().ShouldNotBe(Sealed());
        var nonces = Enumerable.Range(0, 2000).Select(_ => Convert.ToHexString(Base64Url.DecodeFromChars(Sealed().Split('.')[2])[..12])).ToList();
        nonces.Distinct().Count().ShouldBe(nonces.Count);
        nonces.ShouldNotContain(new string('0', 24));
    }

    [Fact]
    public void moved_to_another_event_field_or_tenant_it_is_tampered()
    {
        var text = Sealed();

        FieldCipher.Decrypt(Found, Tenant, "urn:ngrtc:nf:IBCF:ibcf-1 v-2", Path, text).ShouldBe(new RevealResult.Tampered("k1", TamperReason.AuthenticationFailed));
        FieldCipher.Decrypt(Found, Tenant, EventId, "/dest", text).ShouldBe(new RevealResult.Tampered("k1", TamperReason.AuthenticationFailed));
        FieldCipher.Decrypt(Found, "op-2", EventId, Path, text).ShouldBe(new RevealResult.Tampered("k1", TamperReason.AuthenticationFailed));
    }

    [Fact]
    public void the_associated_data_parts_cannot_be_shifted_into_each_other()
    {
        var text = FieldCipher.Encrypt(Key, Tenant, "e", "1/x", Value);

        FieldCipher.Decrypt(Found, Tenant, "e1", "/x", text).ShouldBeOfType<RevealResult.Tampered>();
        Should.Throw<ArgumentException>(() => FieldCipher.Encrypt(Key, Tenant, "e\01", "/x", Value)).Message.ShouldNotContain(Value);
        Should.Throw<ArgumentException>(() => FieldCipher.Encrypt(Key, Tenant, "", "/x", Value));
    }

    [Fact]
    public void every_bit_flip_of_nonce_ciphertext_or_tag_is_tampered()
    {
        var text = Sealed();
        var payload = Base64Url.DecodeFromChars(text.Split('.')[2]);
        for (var bit = 0; bit < payload.Length * 8; bit++)
        {
            var flipped = (byte[])payload.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            var altered = "enc1.k1." + Base64Url.EncodeToString(flipped);

            FieldCipher.Decrypt(Found, Tenant, EventId, Path, altered).ShouldBe(new RevealResult.Tampered("k1", TamperReason.AuthenticationFailed), $"bit {bit}");
        }
    }

    [Fact]
    public void truncated_extended_or_garbled_values_are_tampered_never_thrown()
    {
        var text = Sealed();
        var payload = Base64Url.DecodeFromChars(text.Split('.')[2]);

        FieldCipher.Decrypt(Found, Tenant, EventId, Path, "enc1.k1." + Base64Url.EncodeToString(payload[..^1])).ShouldBe(new RevealResult.Tampered("k1", TamperReason.AuthenticationFailed));
        FieldCipher.Decrypt(Found, Tenant, EventId, Path, "enc1.k1." + Base64Url.EncodeToString([.. payload, 0])).ShouldBe(new RevealResult.Tampered("k1", TamperReason.AuthenticationFailed));
        FieldCipher.Decrypt(Found, Tenant, EventId, Path, "enc1.k1." + Base64Url.EncodeToString(payload[..27])).ShouldBe(new RevealResult.Tampered("k1", TamperReason.Malformed));
        FieldCipher.Decrypt(Found, Tenant, EventId, Path, text + "!").ShouldBe(new RevealResult.Tampered("k1", TamperReason.Malformed));
        FieldCipher.Decrypt(Found, Tenant, EventId, Path, "enc1.k1.").ShouldBe(new RevealResult.Tampered("k1", TamperReason.Malformed));
        FieldCipher.Decrypt(Found, Tenant, EventId, Path, "enc2" + text[4..]).ShouldBe(new RevealResult.Tampered(null, TamperReason.Malformed));
        FieldCipher.Decrypt(Found, Tenant, EventId, Path, Value).ShouldBe(new RevealResult.Tampered(null, TamperReason.Malformed));
        FieldCipher.Decrypt(Found, Tenant, EventId, Path, "enc1.k 1.abc").ShouldBe(new RevealResult.Tampered(null, TamperReason.Malformed));
    }

    [Fact]
    public void under_another_key_it_is_tampered()
    {
        var other = new DataKey("k1", new byte[32]);

        FieldCipher.Decrypt(new KeyLookup.Found(other), Tenant, EventId, Path, Sealed()).ShouldBe(new RevealResult.Tampered("k1", TamperReason.AuthenticationFailed));
    }

    [Fact]
    public void a_destroyed_key_reads_as_erased_and_an_unknown_key_as_tampered()
    {
        var at = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

        FieldCipher.Decrypt(new KeyLookup.Destroyed(at), Tenant, EventId, Path, Sealed()).ShouldBe(new RevealResult.Erased("k1", at));
        FieldCipher.Decrypt(KeyLookup.Unknown, Tenant, EventId, Path, Sealed()).ShouldBe(new RevealResult.Tampered("k1", TamperReason.UnknownKey));
    }

    [Fact]
    public void a_plain_result_does_not_print_its_value()
    {
        var plain = FieldCipher.Decrypt(Found, Tenant, EventId, Path, Sealed());

        plain.ToString().ShouldNotContain("1555000001");
        Key.ToString().ShouldBe("DataKey k1");
    }

    [Fact]
    public void a_disposed_key_refuses_to_work()
    {
        var key = DataKey.Generate();
        key.Dispose();

        Should.Throw<ObjectDisposedException>(() => FieldCipher.Encrypt(key, Tenant, EventId, Path, Value));
        Should.Throw<ArgumentException>(() => new DataKey("k1", new byte[16]));
        Should.Throw<ArgumentException>(() => new DataKey("k.1", new byte[32]));
    }
}
