using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Ngrtc.Audit.Integrity;

namespace Ngrtc.Audit.UnitTests.Integrity;

public sealed class JwksTests : IDisposable
{
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose() => key.Dispose();

    private string Jwk(string members)
    {
        var q = key.ExportParameters(false).Q;
        return $$"""{"keys":[{"kty":"EC","crv":"P-256","x":"{{Base64Url.EncodeToString(q.X)}}","y":"{{Base64Url.EncodeToString(q.Y)}}","kid":"k1"{{members}}}]}""";
    }

    [Fact]
    public void an_exported_key_set_has_the_rfc7517_members_and_imports_to_the_same_key()
    {
        var json = Jwks.Export([KeyValuePair.Create("k1", key)]);
        using var document = JsonDocument.Parse(json);
        var jwk = document.RootElement.GetProperty("keys").EnumerateArray().Single();

        jwk.EnumerateObject().Select(m => m.Name).ShouldBe(["kty", "crv", "x", "y", "kid", "use", "alg"]);
        jwk.GetProperty("kty").GetString().ShouldBe("EC");
        jwk.GetProperty("crv").GetString().ShouldBe("P-256");
        jwk.GetProperty("use").GetString().ShouldBe("sig");
        jwk.GetProperty("alg").GetString().ShouldBe("ES256");
        jwk.GetProperty("x").GetString()!.Length.ShouldBe(43);
        json.ShouldNotContain("\"d\"");

        var imported = Jwks.Import(json)["k1"];
        imported.Q.X.ShouldBe(key.ExportParameters(false).Q.X);
        imported.Q.Y.ShouldBe(key.ExportParameters(false).Q.Y);
        Jwks.Import(Jwk("")).Keys.ShouldBe(["k1"]);
    }

    [Fact]
    public void a_key_with_a_validity_period_is_published_with_nbf_and_exp_and_read_back()
    {
        var from = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var until = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var json = Jwks.Export([KeyValuePair.Create("k1", key)], new Dictionary<string, KeyValidity> { ["k1"] = new(from, until) });

        using var document = JsonDocument.Parse(json);
        var jwk = document.RootElement.GetProperty("keys")[0];
        jwk.GetProperty("nbf").GetInt64().ShouldBe(1_767_225_600);
        jwk.GetProperty("exp").GetInt64().ShouldBe(1_798_761_600);
        Jwks.Read(json)["k1"].Validity.ShouldBe(new KeyValidity(from, until));

        // Open ends are left out, and a key without a period reads back as valid at any time.
        Jwks.Read(Jwks.Export([KeyValuePair.Create("k1", key)], new Dictionary<string, KeyValidity> { ["k1"] = new(null, until) }))["k1"].Validity.ShouldBe(new KeyValidity(null, until));
        Jwks.Read(Jwk(""))["k1"].Validity.ShouldBe(KeyValidity.Always);
        Jwks.Export([KeyValuePair.Create("k1", key)]).ShouldNotContain("exp");
    }

    [Theory]
    [InlineData(""","nbf":"1767225600" """)]
    [InlineData(""","exp":1767225600.5""")]
    [InlineData(""","exp":null""")]
    [InlineData(""","exp":1e300""")]
    [InlineData(""","nbf":1767225600,"exp":1767225600""")]
    [InlineData(""","nbf":1767225601,"exp":1767225600""")]
    public void a_validity_that_is_not_whole_second_numeric_dates_or_is_empty_is_refused(string members)
    {
        Should.Throw<FormatException>(() => Jwks.Read(Jwk(members)));
    }

    [Fact]
    public void a_period_that_would_not_survive_the_round_trip_or_is_empty_is_not_published()
    {
        var from = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Should.Throw<ArgumentException>(() => Jwks.Export([KeyValuePair.Create("k1", key)], new Dictionary<string, KeyValidity> { ["k1"] = new(from.AddMilliseconds(1), null) }));
        Should.Throw<ArgumentException>(() => Jwks.Export([KeyValuePair.Create("k1", key)], new Dictionary<string, KeyValidity> { ["k1"] = new(from, from) }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("""{"keys":{}}""")]
    [InlineData("""{"keys":[1]}""")]
    [InlineData("""{"keys":[{"kty":"RSA","kid":"r"}]}""")]
    public void a_document_that_is_not_a_key_set_is_refused(string json)
    {
        Should.Throw<FormatException>(() => Jwks.Import(json));
    }

    [Theory]
    [InlineData(""","use":"enc" """)]
    [InlineData(""","alg":"ES384" """)]
    [InlineData(""","d":"AAAA" """)]
    public void keys_for_other_uses_or_with_private_parts_are_refused(string members)
    {
        Should.Throw<FormatException>(() => Jwks.Import(Jwk(members)));
    }

    [Fact]
    public void keys_on_other_curves_off_the_curve_or_twice_are_refused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var q384 = p384.ExportParameters(false).Q;
        var q = key.ExportParameters(false).Q;
        var offCurveY = (byte[])q.Y!.Clone();
        offCurveY[^1] ^= 1;

        Should.Throw<FormatException>(() => Jwks.Import(Jwk("").Replace("P-256", "P-384")));
        Should.Throw<FormatException>(() => Jwks.Import($$"""{"keys":[{"kty":"EC","crv":"P-256","x":"{{Base64Url.EncodeToString(q384.X)}}","y":"{{Base64Url.EncodeToString(q384.Y)}}","kid":"k"}]}"""));
        Should.Throw<FormatException>(() => Jwks.Import(Jwk("").Replace(Base64Url.EncodeToString(q.Y), Base64Url.EncodeToString(offCurveY))));
        Should.Throw<FormatException>(() => Jwks.Import(Jwk("").Replace("\"kid\":\"k1\"", "\"kid\":\"\"")));
        var twice = Jwks.Export([KeyValuePair.Create("k1", key), KeyValuePair.Create("k2", key)]).Replace("\"k2\"", "\"k1\"");
        Should.Throw<FormatException>(() => Jwks.Import(twice));
    }

    [Fact]
    public void a_pkcs8_pem_key_loads_signs_and_verifies_under_its_public_pem()
    {
        using var loaded = TreeHeadKeys.FromPem(key.ExportPkcs8PrivateKeyPem());
        using var publicOnly = TreeHeadKeys.FromPem(key.ExportSubjectPublicKeyInfoPem());
        using var sec1 = TreeHeadKeys.FromPem(key.ExportECPrivateKeyPem());

        var signed = new TreeHeadSigner(loaded, "k1").Sign("op-1", 0, MerkleHash.EmptyRoot.ToArray(), DateTimeOffset.UnixEpoch, null);

        TreeHeadVerifier.FromKeys([KeyValuePair.Create("k1", publicOnly)]).Verify(signed.Jws).IsValid.ShouldBeTrue();
        TreeHeadVerifier.FromKeys([KeyValuePair.Create("k1", key)]).Verify(signed.Jws).IsValid.ShouldBeTrue();
        new TreeHeadSigner(sec1, "k1").KeyId.ShouldBe("k1");
    }

    [Fact]
    public void a_pem_that_is_not_a_p256_key_is_refused_without_echoing_it()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var p384Pem = p384.ExportPkcs8PrivateKeyPem();
        var encrypted = key.ExportEncryptedPkcs8PrivateKeyPem("secret", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000));

        foreach (var pem in new[] { p384Pem, encrypted, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "not a key" })
        {
            var error = Should.Throw<ArgumentException>(() => TreeHeadKeys.FromPem(pem));
            error.Message.ShouldNotContain(pem.Split('\n').Length > 2 ? pem.Split('\n')[1] : pem);
        }

        Should.Throw<ArgumentException>(() => TreeHeadKeys.FromPem(p384Pem)).Message.ShouldContain("P-256");
    }
}
