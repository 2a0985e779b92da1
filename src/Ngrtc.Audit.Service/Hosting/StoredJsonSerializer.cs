using System.Buffers;
using System.Runtime.CompilerServices;
using Marten;
using Marten.Services;

namespace Ngrtc.Audit.Service.Hosting;

/// <summary>
/// Marten's System.Text.Json serializer, except that an object whose JSON the appender has already written
/// (<see cref="Write"/>: every record it stores, serialised once before the tenant log lock to hash its leaf) is
/// written from those bytes when Marten stores it, instead of being serialised a second time under the lock.
/// The bytes are the ones <see cref="SystemTextJsonSerializer.WriteTo"/> writes, so what is stored does not change.
/// Objects are matched by reference and forgotten when the appender is done with them (or when collected).
/// </summary>
public sealed class StoredJsonSerializer : SystemTextJsonSerializer, ISerializer
{
    private readonly ConditionalWeakTable<object, byte[]> _written = new();

    /// <summary>The UTF-8 JSON Marten will store for <paramref name="value"/>, kept until <see cref="Forget"/>.</summary>
    public byte[] Write(object value)
    {
        var buffer = new ArrayBufferWriter<byte>(2048);
        base.WriteTo(buffer, value);
        var json = buffer.WrittenSpan.ToArray();
        _written.AddOrUpdate(value, json);
        return json;
    }

    public void Forget(object value) => _written.Remove(value);

    /// <summary>Re-implements <see cref="ISerializer"/>'s <c>WriteTo</c>, the method Marten's event append calls.</summary>
    public new void WriteTo(IBufferWriter<byte> writer, object? value)
    {
        if (value is not null && _written.TryGetValue(value, out var json))
        {
            writer.Write(json);
            return;
        }

        base.WriteTo(writer, value);
    }
}
