using System.Security.Cryptography;
using Ngrtc.Audit.Protection;

namespace Ngrtc.Audit.UnitTests.Protection;

public class KeyEncryptionKeyTests
{
    private static readonly byte[] V1 = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
    private static readonly byte[] V2 = [.. Enumerable.Range(100, 32).Select(i => (byte)i)];
    private static readonly byte[] DataKeyBytes = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public async Task wrap_and_unwrap_round_trip_under_the_current_kek()
    {
        var keks = ConfiguredKeyEncryptionKeys.For("op-1", "v1", ("v1", V1));

        var wrapped = await keks.WrapAsync("op-1", null, DataKeyBytes, "subject-key:k1");

        wrapped.KekId.ShouldBe("v1");
        wrapped.Bytes.Length.ShouldBe(12 + 32 + 16);
        (await keks.UnwrapAsync("op-1", wrapped, "subject-key:k1")).ShouldBe(DataKeyBytes);
    }

    [Fact]
    public async Task a_wrap_moved_to_another_context_or_tenant_does_not_unwrap()
    {
        var keks = new ConfiguredKeyEncryptionKeys(new KeyEncryptionKeyOptions
        {
            Tenants = { ["*"] = new TenantKeyEncryptionKeys { Current = "v1", Keys = { ["v1"] = Convert.ToBase64String(V1) } } },
        });
        var wrapped = await keks.WrapAsync("op-1", null, DataKeyBytes, "subject-key:k1");

        (await Should.ThrowAsync<KeyEncryptionKeyException>(async () => await keks.UnwrapAsync("op-1", wrapped, "subject-key:k2"))).Message.ShouldContain("does not verify");
        await Should.ThrowAsync<KeyEncryptionKeyException>(async () => await keks.UnwrapAsync("op-2", wrapped, "subject-key:k1"));
        await Should.ThrowAsync<KeyEncryptionKeyException>(async () => await keks.UnwrapAsync("op-1", wrapped with { Bytes = [.. wrapped.Bytes[..^1], (byte)(wrapped.Bytes[^1] ^ 1)] }, "subject-key:k1"));
        await Should.ThrowAsync<KeyEncryptionKeyException>(async () => await keks.UnwrapAsync("op-1", wrapped with { Bytes = wrapped.Bytes[..20] }, "subject-key:k1"));
    }

    [Fact]
    public async Task rotation_keeps_old_wraps_readable_and_wraps_new_keys_under_the_new_kek()
    {
        var before = ConfiguredKeyEncryptionKeys.For("op-1", "v1", ("v1", V1));
        var old = await before.WrapAsync("op-1", null, DataKeyBytes, "pepper:2026-11");
        var after = ConfiguredKeyEncryptionKeys.For("op-1", "v2", ("v1", V1), ("v2", V2));

        after.CurrentKekId("op-1").ShouldBe("v2");
        (await after.UnwrapAsync("op-1", old, "pepper:2026-11")).ShouldBe(DataKeyBytes);
        var rewrapped = await after.WrapAsync("op-1", null, DataKeyBytes, "pepper:2026-11");
        rewrapped.KekId.ShouldBe("v2");
        (await after.UnwrapAsync("op-1", rewrapped, "pepper:2026-11")).ShouldBe(DataKeyBytes);

        var retired = ConfiguredKeyEncryptionKeys.For("op-1", "v2", ("v2", V2));
        (await Should.ThrowAsync<KeyEncryptionKeyException>(async () => await retired.UnwrapAsync("op-1", old, "pepper:2026-11"))).Message.ShouldContain("op-1/v1");
    }

    [Fact]
    public void configuration_errors_name_tenant_and_kek_never_the_key()
    {
        var shortKey = Convert.ToBase64String(new byte[16]);
        var error = Should.Throw<KeyEncryptionKeyException>(() => ConfiguredKeyEncryptionKeys.For("op-1", "v1", ("v1", new byte[16])));
        error.Message.ShouldContain("op-1/v1");
        error.Message.ShouldNotContain(shortKey);

        Should.Throw<KeyEncryptionKeyException>(() => ConfiguredKeyEncryptionKeys.For("op-1", "v3", ("v1", V1))).Message.ShouldContain("'v3'");
        Should.Throw<KeyEncryptionKeyException>(() => new ConfiguredKeyEncryptionKeys(new KeyEncryptionKeyOptions
        {
            Tenants = { ["op-1"] = new TenantKeyEncryptionKeys { Current = "v1", Keys = { ["v1"] = "not base64!" } } },
        }));
        Should.Throw<KeyEncryptionKeyException>(() => ConfiguredKeyEncryptionKeys.For("op-1", "v 1", ("v 1", V1)));
        Should.Throw<KeyEncryptionKeyException>(() => ConfiguredKeyEncryptionKeys.For("op-1", "v1", ("v1", V1)).CurrentKekId("op-2")).Message.ShouldContain("op-2");
    }

    [Fact]
    public async Task keks_from_a_directory_with_a_current_file_and_an_any_tenant_folder()
    {
        var directory = Directory.CreateTempSubdirectory("ngrtc-keks-");
        try
        {
            Directory.CreateDirectory(Path.Combine(directory.FullName, "op-1"));
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "op-1", "v1.key"), Convert.ToBase64String(V1) + "\n");
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "op-1", "v2.key"), Convert.ToBase64String(V2));
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "op-1", "current"), "v2\n");
            Directory.CreateDirectory(Path.Combine(directory.FullName, "_any"));
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "_any", "dev.key"), Convert.ToBase64String(V1));
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "_any", "current"), "dev");

            var keks = new ConfiguredKeyEncryptionKeys(new KeyEncryptionKeyOptions { Directory = directory.FullName });

            keks.CurrentKekId("op-1").ShouldBe("v2");
            keks.CurrentKekId("op-7").ShouldBe("dev");
            var fromFiles = await keks.WrapAsync("op-1", "v1", DataKeyBytes, "subject-index");
            (await ConfiguredKeyEncryptionKeys.For("op-1", "v1", ("v1", V1)).UnwrapAsync("op-1", fromFiles, "subject-index")).ShouldBe(DataKeyBytes);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
