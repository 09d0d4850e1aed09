using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Serialization;

namespace ModelActors.Remote;

/// <summary>
/// Akka's serializer for the messages of the request path (every <see cref="IModelMessage"/>): a request's items and a
/// reply's results through their <see cref="ModelPayloadCodec{T}"/> (System.Text.Json unless a type names its own codec,
/// as ModelActors' tensors do: raw little-endian bytes with their element type and shape), a failure as
/// <see cref="RemoteFailure"/>, read back as <c>Status.Failure</c> with the exception rebuilt. The manifest names the
/// item or result type. Bound in <see cref="Actors.ModelActorsConfig.Default"/>.
/// </summary>
/// <param name="system">The actor system.</param>
internal sealed class ModelMessageSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The serializer's identifier in Akka's serialization (ids up to 100 are Akka's own).</summary>
    public const int Id = 4710;

    private const string RequestPrefix = "Q:";
    private const string ReplyPrefix = "R:";
    private const string FailureManifest = "F";
    private const byte FailureVersion = 2; // 2: two 64-bit details (1 had a capacity and a retry hint)
    private const string SignatureQueryManifest = "G";
    private const string SignatureAnswerManifest = "A";
    private static readonly ConcurrentDictionary<Type, IMessageCodec> Codecs = new();

    /// <summary>Per request or reply type (<c>ModelRequest&lt;T&gt;</c>, <c>ModelReply&lt;T&gt;</c>): its manifest and its value type's codec, found once.</summary>
    private static readonly ConcurrentDictionary<Type, (string Manifest, IMessageCodec Codec)?> Typed = new();
    private static readonly ConditionalWeakTable<object, byte[]> Prepared = new();

    /// <inheritdoc />
    public override int Identifier => Id;

    /// <summary>
    /// Serializes <paramref name="message"/> ahead of its send (its size can then be checked against the frame limit); the
    /// send itself takes these bytes instead of writing the message again.
    /// </summary>
    internal static byte[] Prepare(object message)
    {
        var bytes = Write(message);
        Prepared.AddOrUpdate(message, bytes);
        return bytes;
    }

    /// <inheritdoc />
    public override string Manifest(object o) => o switch
    {
        RemoteFailure => FailureManifest,
        SignatureQuery => SignatureQueryManifest,
        SignatureAnswer => SignatureAnswerManifest,
        _ => TypedOf(o).Manifest,
    };

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (Prepared.TryGetValue(obj, out var prepared))
        {
            Prepared.Remove(obj);
            return prepared;
        }

        return Write(obj);
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest == FailureManifest)
        {
            return new Status.Failure(ReadFailure(bytes).Rebuild());
        }

        if (manifest == SignatureQueryManifest)
        {
            return SignatureQuery.Instance;
        }

        if (manifest == SignatureAnswerManifest)
        {
            var reader = new WireReader(bytes);
            var loaded = reader.ReadByte() == 1;
            var signatureType = reader.ReadString();
            var json = reader.ReadString();
            return new SignatureAnswer(loaded, signatureType.Length == 0 ? null : signatureType, json.Length == 0 ? null : json);
        }

        var request = manifest.StartsWith(RequestPrefix, StringComparison.Ordinal);
        if (!request && !manifest.StartsWith(ReplyPrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"ModelMessageSerializer cannot read a message with manifest '{manifest}'.", nameof(manifest));
        }

        var typeName = manifest[RequestPrefix.Length..];
        var type = WireTypes.Resolve(typeName) ?? throw new ArgumentException($"A ModelActors message holds values of type '{typeName}', which this node does not have.", nameof(manifest));
        var codec = CodecOf(type);
        return request ? codec.ReadRequest(bytes) : codec.ReadReply(bytes);
    }

    private static byte[] Write(object message)
    {
        if (message is RemoteFailure failure)
        {
            return WriteFailure(failure);
        }

        if (message is SignatureQuery)
        {
            return [];
        }

        if (message is SignatureAnswer answer)
        {
            var writer = new WireWriter();
            writer.WriteByte(answer.Loaded ? (byte)1 : (byte)0);
            writer.WriteString(answer.TypeName ?? string.Empty);
            writer.WriteString(answer.Json ?? string.Empty);
            return writer.ToArray();
        }

        return TypedOf(message).Codec.Write(message);
    }

    /// <summary>The manifest and codec of a request or reply; an <see cref="ArgumentException"/> for any other message.</summary>
    private static (string Manifest, IMessageCodec Codec) TypedOf(object message) =>
        Typed.GetOrAdd(message.GetType(), static type =>
        {
            var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : null;
            var prefix = definition == typeof(ModelRequest<>) ? RequestPrefix : definition == typeof(ModelReply<>) ? ReplyPrefix : null;
            return prefix is null ? null : (prefix + WireTypes.NameOf(type.GetGenericArguments()[0]), CodecOf(type.GetGenericArguments()[0]));
        }) ?? throw new ArgumentException($"ModelMessageSerializer cannot write {message.GetType()}.", nameof(message));

    private static IMessageCodec CodecOf(Type valueType) =>
        Codecs.GetOrAdd(valueType, static t =>
        {
            try
            {
                return (IMessageCodec)Activator.CreateInstance(typeof(MessageCodec<>).MakeGenericType(t))!;
            }
            catch (System.Reflection.TargetInvocationException wrapped) when (wrapped.InnerException is { } error)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
                throw;
            }
        });

    private static byte[] WriteFailure(RemoteFailure failure)
    {
        var writer = new WireWriter();
        writer.WriteByte(FailureVersion);
        writer.WriteString(failure.TypeName);
        writer.WriteString(failure.Message);
        writer.WriteString(failure.Model);
        writer.WriteInt64(failure.First);
        writer.WriteInt64(failure.Second);
        return writer.ToArray();
    }

    private static RemoteFailure ReadFailure(ReadOnlySpan<byte> bytes)
    {
        var reader = new WireReader(bytes);
        var version = reader.ReadByte();
        if (version != FailureVersion)
        {
            throw new FormatException($"A ModelActors failure of version {version} arrived; this node reads version {FailureVersion}.");
        }

        return new RemoteFailure(reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadInt64(), reader.ReadInt64());
    }
}
