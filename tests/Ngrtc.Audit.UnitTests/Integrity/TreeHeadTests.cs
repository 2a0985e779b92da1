using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ngrtc.Audit.Integrity;

namespace Ngrtc.Audit.UnitTests.Integrity;

public sealed class TreeHeadTests : IDisposable
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 27, 13, 0, 0, 123, TimeSpan.FromHours(1));
    private static readonly byte[] Root = SHA256.HashData("root"u8);
    private static readonly byte[] Previous = SHA256.HashData("previous"u8);

    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose()
    {
        key.Dispose();
        otherKey.Dispose();
    }

    private TreeHeadSigner Signer(string keyId = "k1") => new(key, keyId);

    private TreeHeadVerifier Verifier() => TreeHeadVerifier.FromKeys([KeyValuePair.Create("k1", key)]);

    private static string[] Parts(string jws) => jws.Split('.');

    private static string Decode(string part) => Encoding.UTF8.GetString(Base64Url.DecodeFromChars(part));

    private static string Encode(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    /// <summary>The order n of P-256's base point.</summary>
    private static readonly BigInteger Order =
        BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", NumberStyles.HexNumber);

    private static BigInteger S(byte[] signature) => new(signature.AsSpan(32), isUnsigned: true, isBigEndian: true);

    private static byte[] WithS(byte[] signature, BigInteger s)
    {
        var bytes = s.ToByteArray(isUnsigned: true, isBigEndian: true);
        var copy = (byte[])signature.Clone();
        copy.AsSpan(32).Clear();
        bytes.CopyTo(copy, 64 - bytes.Length);
        return copy;
    }

    /// <summary>A JWS over arbitrary header and payload text, signed as the real signer would (low-S).</summary>
    private static string Forge(ECDsa signingKey, string header, string payload)
    {
        var input = $"{Encode(header)}.{Encode(payload)}";
        var signature = signingKey.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        if (signature.Length == 64 && S(signature) > Order / 2)
        {
            signature = WithS(signature, Order - S(signature));
        }

        return $"{input}.{Base64Url.EncodeToString(signature)}";
    }

    [Fact]
    public void every_signature_is_low_s_and_its_high_s_twin_is_refused()
    {
        var signer = Signer();
        var verifier = Verifier();
        for (var i = 0; i < 64; i++)
        {
            var jws = signer.Sign("op-1", i, Root, Noon.AddSeconds(i), Previous).Jws;
            var parts = Parts(jws);
            var signature = Base64Url.DecodeFromChars(parts[2]);
            S(signature).ShouldBeLessThanOrEqualTo(Order / 2);

            // ECDSA itself accepts (r, n − s): the twin is a second valid signature of the same head.
            var twin = WithS(signature, Order - S(signature));
            key.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), twin, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
                .ShouldBeTrue();
            var verification = verifier.Verify($"{parts[0]}.{parts[1]}.{Base64Url.EncodeToString(twin)}");
            verification.Failure.ShouldBe(TreeHeadFailure.BadSignature);
            verification.Reason.ShouldContain("low-S");
        }
    }

    [Fact]
    public void a_signed_head_verifies_and_reads_back_as_signed()
    {
        var signed = Signer().Sign("op-1", 42, Root, Noon.AddTicks(4567), Previous);

        var verification = Verifier().Verify(signed.Jws);

        verification.IsValid.ShouldBeTrue(verification.Reason);
        verification.Head.ShouldBe(new TreeHead("op-1", 42, Root, Noon, Previous, "k1"));
        verification.Head!.Timestamp.Offset.ShouldBe(TimeSpan.Zero);
        signed.Head.ShouldBe(verification.Head);
        signed.Hash().ShouldBe(SHA256.HashData(Encoding.ASCII.GetBytes(signed.Jws)));
    }

    [Fact]
    public void the_header_and_payload_are_the_documented_canonical_json()
    {
        var signed = Signer().Sign(new TreeHead("opérateur-1", 42, Root, Noon, null, "k1"));
        var parts = Parts(signed.Jws);

        parts.Length.ShouldBe(3);
        Decode(parts[0]).ShouldBe("""{"alg":"ES256","kid":"k1","typ":"ngrtc-tree-head+jwt"}""");
        Decode(Parts(Signer("clé-2026").Sign("op-1", 1, Root, Noon, null).Jws)[0]).ShouldBe("""{"alg":"ES256","kid":"clé-2026","typ":"ngrtc-tree-head+jwt"}""");
        Decode(parts[1]).ShouldBe(
            $$"""{"keyId":"k1","previousHeadHash":null,"rootHash":"{{Convert.ToBase64String(Root)}}","tenant":"opérateur-1","timestamp":"2026-11-27T12:00:00.123Z","treeSize":42}""");
        Base64Url.DecodeFromChars(parts[2]).Length.ShouldBe(64);
        signed.Jws.ShouldNotContain("=");
    }

    [Fact]
    public void the_signature_verifies_through_an_independent_path_from_the_jwks()
    {
        var signed = Signer().Sign("op-1", 7, Root, Noon, null);
        using var jwks = JsonDocument.Parse(Jwks.Export([KeyValuePair.Create("k1", key)]));
        var jwk = jwks.RootElement.GetProperty("keys")[0];
        using var fresh = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64Url.DecodeFromChars(jwk.GetProperty("x").GetString()), Y = Base64Url.DecodeFromChars(jwk.GetProperty("y").GetString()) },
        });
        var parts = Parts(signed.Jws);
        var signingInput = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
        var signature = Base64Url.DecodeFromChars(parts[2]);

        fresh.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation).ShouldBeTrue();
        fresh.VerifyData(signingInput, ToDer(signature), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence).ShouldBeTrue();
        signingInput[^1] ^= 1;
        fresh.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation).ShouldBeFalse();
    }

    [Fact]
    public void openssl_accepts_the_signature_converted_to_der()
    {
        var openssl = new[] { "/usr/bin/openssl", "/usr/local/bin/openssl" }.FirstOrDefault(File.Exists);
        Assert.SkipWhen(openssl is null, "openssl is not installed on this machine.");

        var signed = Signer().Sign("op-1", 7, Root, Noon, null);
        var parts = Parts(signed.Jws);
        var folder = Directory.CreateTempSubdirectory("ngrtc-jws-");
        try
        {
            var input = Path.Combine(folder.FullName, "input");
            var signature = Path.Combine(folder.FullName, "sig.der");
            var publicKey = Path.Combine(folder.FullName, "pub.pem");
            File.WriteAllText(input, $"{parts[0]}.{parts[1]}", Encoding.ASCII);
            File.WriteAllBytes(signature, ToDer(Base64Url.DecodeFromChars(parts[2])));
            File.WriteAllText(publicKey, key.ExportSubjectPublicKeyInfoPem());

            OpenSsl(openssl!, "dgst", "-sha256", "-verify", publicKey, "-signature", signature, input).ShouldBe((0, "Verified OK"));

            File.AppendAllText(input, " ");
            OpenSsl(openssl!, "dgst", "-sha256", "-verify", publicKey, "-signature", signature, input).ExitCode.ShouldBe(1);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void a_flipped_payload_byte_fails_the_signature()
    {
        var parts = Parts(Signer().Sign("op-1", 42, Root, Noon, null).Jws);
        var payload = Base64Url.DecodeFromChars(parts[1]);
        payload[payload.Length / 2] ^= 0x01;

        var verification = Verifier().Verify($"{parts[0]}.{Base64Url.EncodeToString(payload)}.{parts[2]}");

        verification.Failure.ShouldBe(TreeHeadFailure.BadSignature);
        verification.Head.ShouldBeNull();
    }

    [Fact]
    public void an_unknown_kid_or_another_key_under_the_known_kid_fails()
    {
        var byOtherId = new TreeHeadSigner(key, "k2").Sign("op-1", 42, Root, Noon, null);
        var byOtherKey = new TreeHeadSigner(otherKey, "k1").Sign("op-1", 42, Root, Noon, null);

        Verifier().Verify(byOtherId.Jws).Failure.ShouldBe(TreeHeadFailure.UnknownKey);
        Verifier().Verify(byOtherKey.Jws).Failure.ShouldBe(TreeHeadFailure.BadSignature);
        TreeHeadVerifier.FromKeys([KeyValuePair.Create("k1", key), KeyValuePair.Create("k2", otherKey)]).Verify(byOtherId.Jws).Failure.ShouldBe(TreeHeadFailure.BadSignature);
    }

    [Fact]
    public void a_retired_key_verifies_the_heads_it_signed_while_current_and_refuses_any_dated_later()
    {
        // Key 2025 retired at 13:00 UTC (its successor k1 signs from then on); its private half later leaked.
        var retired = new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
        var validity = new Dictionary<string, KeyValidity> { ["2025"] = new(null, retired), ["k1"] = new(retired, null) };
        var verifier = TreeHeadVerifier.FromJwks(Jwks.Export([KeyValuePair.Create("k1", key), KeyValuePair.Create("2025", otherKey)], validity));
        var oldKey = new TreeHeadSigner(otherKey, "2025");

        verifier.Verify(oldKey.Sign("op-1", 1, Root, retired.AddMilliseconds(-1), null).Jws).IsValid.ShouldBeTrue();
        var forged = verifier.Verify(oldKey.Sign("op-1", 2, Root, retired, null).Jws);
        forged.Failure.ShouldBe(TreeHeadFailure.OutsideKeyValidity);
        forged.Reason.ShouldBe("Key \"2025\" signs heads dated before 2026-11-27T12:00:00.0000000Z; this head is dated 2026-11-27T12:00:00.0000000Z.");
        verifier.Verify(oldKey.Sign("op-1", 2, Root, retired.AddYears(1), null).Jws).Failure.ShouldBe(TreeHeadFailure.OutsideKeyValidity);

        // And the successor signs nothing dated before it began.
        verifier.Verify(Signer().Sign("op-1", 3, Root, retired, null).Jws).IsValid.ShouldBeTrue();
        verifier.Verify(Signer().Sign("op-1", 3, Root, retired.AddMilliseconds(-1), null).Jws).Failure.ShouldBe(TreeHeadFailure.OutsideKeyValidity);

        // Without the periods (an older JWKS), both verify: the period is what stops the leaked key.
        TreeHeadVerifier.FromKeys([KeyValuePair.Create("2025", otherKey)]).Verify(oldKey.Sign("op-1", 2, Root, retired.AddYears(1), null).Jws).IsValid.ShouldBeTrue();
    }

    [Fact]
    public void a_head_signed_by_a_rotated_out_key_verifies_while_its_public_key_is_listed()
    {
        var old = new TreeHeadSigner(otherKey, "2025").Sign("op-1", 1, Root, Noon, null);
        var current = Signer().Sign("op-1", 2, Root, Noon, old.Hash());
        var verifier = TreeHeadVerifier.FromJwks(Jwks.Export([KeyValuePair.Create("k1", key), KeyValuePair.Create("2025", otherKey)]));

        verifier.Verify(old.Jws).IsValid.ShouldBeTrue();
        verifier.Verify(current.Jws).IsValid.ShouldBeTrue();
        verifier.KeyIds.ShouldBe(["k1", "2025"], ignoreOrder: true);
    }

    [Fact]
    public void alg_none_and_other_algorithms_are_refused()
    {
        var payload = Decode(Parts(Signer().Sign("op-1", 42, Root, Noon, null).Jws)[1]);

        var none = $"{Encode("""{"alg":"none","kid":"k1","typ":"ngrtc-tree-head+jwt"}""")}.{Encode(payload)}.";
        Verifier().Verify(none).Failure.ShouldBe(TreeHeadFailure.UnsupportedAlgorithm);
        Verifier().Verify(none + "AA").Failure.ShouldBe(TreeHeadFailure.UnsupportedAlgorithm);
        Verifier().Verify(Forge(key, """{"alg":"ES384","kid":"k1","typ":"ngrtc-tree-head+jwt"}""", payload)).Failure.ShouldBe(TreeHeadFailure.UnsupportedAlgorithm);
        Verifier().Verify(Forge(key, """{"alg":"HS256","kid":"k1","typ":"ngrtc-tree-head+jwt"}""", payload)).Failure.ShouldBe(TreeHeadFailure.UnsupportedAlgorithm);
        Verifier().Verify(Forge(key, """{"kid":"k1","typ":"ngrtc-tree-head+jwt"}""", payload)).Failure.ShouldBe(TreeHeadFailure.UnsupportedAlgorithm);
    }

    [Fact]
    public void a_key_on_another_curve_is_refused_everywhere()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var payload = Decode(Parts(Signer().Sign("op-1", 42, Root, Noon, null).Jws)[1]);
        var forged = Forge(p384, """{"alg":"ES256","kid":"k1","typ":"ngrtc-tree-head+jwt"}""", payload);

        var verification = Verifier().Verify(forged);

        verification.Failure.ShouldBe(TreeHeadFailure.BadSignature);
        verification.Reason.ShouldContain("64");
        Should.Throw<ArgumentException>(() => new TreeHeadSigner(p384, "k1")).Message.ShouldContain("P-256");
        Should.Throw<ArgumentException>(() => TreeHeadVerifier.FromKeys([KeyValuePair.Create("k1", p384)]));
        Should.Throw<ArgumentException>(() => Jwks.Export([KeyValuePair.Create("k1", p384)]));

        var offCurve = key.ExportParameters(false);
        offCurve.Q.Y![^1] ^= 1;
        Should.Throw<ArgumentException>(() => new TreeHeadVerifier(new Dictionary<string, ECParameters> { ["k1"] = offCurve }));
    }

    [Fact]
    public void a_truncated_or_padded_signature_fails()
    {
        var parts = Parts(Signer().Sign("op-1", 42, Root, Noon, null).Jws);
        var signature = Base64Url.DecodeFromChars(parts[2]);

        Verifier().Verify($"{parts[0]}.{parts[1]}.{Base64Url.EncodeToString(signature[..63])}").Failure.ShouldBe(TreeHeadFailure.BadSignature);
        Verifier().Verify($"{parts[0]}.{parts[1]}.{Base64Url.EncodeToString(signature[..32])}").Failure.ShouldBe(TreeHeadFailure.BadSignature);
        Verifier().Verify($"{parts[0]}.{parts[1]}.{Base64Url.EncodeToString([.. signature, 0])}").Failure.ShouldBe(TreeHeadFailure.BadSignature);
        Verifier().Verify($"{parts[0]}.{parts[1]}.{Base64Url.EncodeToString(ToDer(signature))}").Failure.ShouldBe(TreeHeadFailure.BadSignature);
        Verifier().Verify($"{parts[0]}.{parts[1]}.{parts[2][..^1]}").IsValid.ShouldBeFalse();
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("...")]
    [InlineData("!!.??.**")]
    public void text_that_is_not_a_compact_jws_is_malformed(string jws)
    {
        var verification = Verifier().Verify(jws);

        verification.Failure.ShouldBe(TreeHeadFailure.Malformed);
        verification.Reason.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void non_canonical_encodings_are_refused_so_one_head_has_one_hash()
    {
        var jws = Signer().Sign("op-1", 42, Root, Noon, null).Jws;
        var parts = Parts(jws);

        Verifier().Verify($"{parts[0]}=.{parts[1]}.{parts[2]}").Failure.ShouldBe(TreeHeadFailure.Malformed);
        Verifier().Verify($"{parts[0]}.{parts[1]}.{parts[2]} ").Failure.ShouldBe(TreeHeadFailure.Malformed);
        Verifier().Verify(jws.Replace('-', '+').Replace('_', '/')).IsValid.ShouldBe(!jws.Contains('-') && !jws.Contains('_'));
    }

    [Fact]
    public void the_header_must_be_exactly_alg_kid_and_typ()
    {
        var payload = Decode(Parts(Signer().Sign("op-1", 42, Root, Noon, null).Jws)[1]);

        Verifier().Verify(Forge(key, """{"alg":"ES256","kid":"k1","typ":"JWT"}""", payload)).Failure.ShouldBe(TreeHeadFailure.WrongType);
        Verifier().Verify(Forge(key, """{"alg":"ES256","kid":"k1"}""", payload)).Failure.ShouldBe(TreeHeadFailure.WrongType);
        Verifier().Verify(Forge(key, """{"alg":"ES256","typ":"ngrtc-tree-head+jwt"}""", payload)).Failure.ShouldBe(TreeHeadFailure.Malformed);
        Verifier().Verify(Forge(key, """{"alg":"ES256","kid":"k1","typ":"ngrtc-tree-head+jwt","crit":["exp"]}""", payload)).Failure.ShouldBe(TreeHeadFailure.Malformed);
        Verifier().Verify(Forge(key, """{"alg":"ES256","kid":"k1","kid":"k1","typ":"ngrtc-tree-head+jwt"}""", payload)).Failure.ShouldBe(TreeHeadFailure.Malformed);
        Verifier().Verify(Forge(key, """["ES256"]""", payload)).Failure.ShouldBe(TreeHeadFailure.Malformed);
        Verifier().Verify(Forge(key, """{"alg":"ES256","typ":"ngrtc-tree-head+jwt","kid":"k1"}""", payload)).Failure.ShouldBe(TreeHeadFailure.Malformed);
        Verifier().Verify(Forge(key, """{"alg":"ES256", "kid":"k1","typ":"ngrtc-tree-head+jwt"}""", payload)).Failure.ShouldBe(TreeHeadFailure.Malformed);
        Verifier().Verify(Forge(key, """{"alg":"ES256","kid":"k1","typ":"ngrtc-tree-head+jwt"}""", payload)).IsValid.ShouldBeTrue();
    }

    [Fact]
    public void a_validly_signed_payload_must_still_be_a_canonical_tree_head_of_the_signing_key()
    {
        const string header = """{"alg":"ES256","kid":"k1","typ":"ngrtc-tree-head+jwt"}""";
        var root = Convert.ToBase64String(Root);
        var good = $$"""{"keyId":"k1","previousHeadHash":null,"rootHash":"{{root}}","tenant":"op-1","timestamp":"2026-11-27T12:00:00.123Z","treeSize":42}""";

        Verifier().Verify(Forge(key, header, good)).IsValid.ShouldBeTrue();
        string[] bad =
        [
            good.Replace(",", ", "),
            good.Replace("\"keyId\":\"k1\",", ""),
            good.Replace("}", ",\"extra\":1}"),
            good.Replace("\"treeSize\":42", "\"treeSize\":-1"),
            good.Replace("\"treeSize\":42", "\"treeSize\":42.5"),
            good.Replace("\"treeSize\":42", "\"treeSize\":9007199254740993"),
            good.Replace("\"treeSize\":42", "\"treeSize\":\"42\""),
            good.Replace(".123Z", "Z"),
            good.Replace("12:00:00.123Z", "13:00:00.123+01:00"),
            good.Replace(root, root[..^4]),
            good.Replace(root, Convert.ToBase64String([.. Root, 0])),
            good.Replace("\"op-1\"", "\"\""),
            good.Replace("\"previousHeadHash\":null", "\"previousHeadHash\":\"\""),
            good.Replace("\"previousHeadHash\":null", "\"previousHeadHash\":1"),
            "[]",
            "not json",
        ];

        foreach (var payload in bad)
        {
            Verifier().Verify(Forge(key, header, payload)).Failure.ShouldBe(TreeHeadFailure.MalformedPayload, payload);
        }

        Verifier().Verify(Forge(key, header, good.Replace("\"keyId\":\"k1\"", "\"keyId\":\"k2\""))).Failure.ShouldBe(TreeHeadFailure.KeyIdMismatch);
    }

    [Fact]
    public void the_signer_refuses_heads_it_cannot_sign_faithfully()
    {
        var signer = Signer();

        Should.Throw<ArgumentException>(() => signer.Sign(new TreeHead("op-1", 1, Root, Noon, null, "k2")));
        Should.Throw<ArgumentException>(() => signer.Sign("", 1, Root, Noon, null));
        Should.Throw<ArgumentException>(() => signer.Sign("op-1", -1, Root, Noon, null));
        Should.Throw<ArgumentException>(() => signer.Sign("op-1", TreeHead.MaxTreeSize + 1, Root, Noon, null));
        Should.Throw<ArgumentException>(() => signer.Sign("op-1", 1, Root[..31], Noon, null));
        Should.Throw<ArgumentException>(() => signer.Sign("op-1", 1, Root, Noon, [1, 2, 3]));
        Should.Throw<ArgumentException>(() => new TreeHeadSigner(key, ""));
    }

    [Fact]
    public void tree_heads_compare_their_hashes_by_content()
    {
        var head = new TreeHead("op-1", 1, Root, Noon, Previous, "k1");

        head.ShouldBe(new TreeHead("op-1", 1, (byte[])Root.Clone(), Noon.ToUniversalTime(), (byte[])Previous.Clone(), "k1"));
        head.GetHashCode().ShouldBe(new TreeHead("op-1", 1, (byte[])Root.Clone(), Noon, Previous, "k1").GetHashCode());
        head.ShouldNotBe(head with { PreviousHeadHash = null });
        head.ShouldNotBe(head with { RootHash = Previous });
        head.ShouldNotBe(head with { TreeSize = 2 });
    }

    internal static byte[] ToDer(byte[] rs)
    {
        static byte[] Integer(ReadOnlySpan<byte> value)
        {
            var trimmed = value.TrimStart((byte)0);
            byte[] body = trimmed.IsEmpty ? [0] : trimmed[0] >= 0x80 ? [0, .. trimmed] : trimmed.ToArray();
            return [0x02, (byte)body.Length, .. body];
        }

        byte[] sequence = [.. Integer(rs.AsSpan(0, 32)), .. Integer(rs.AsSpan(32))];
        return [0x30, (byte)sequence.Length, .. sequence];
    }

    private static (int ExitCode, string Output) OpenSsl(string openssl, params string[] arguments)
    {
        var start = new ProcessStartInfo(openssl) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Trim());
    }
}
