using System.Collections;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace ModelActors.Host.Triton;

/// <summary>
/// Reads protobuf's text format (what Triton's <c>config.pbtxt</c> files are written in) into a Google.Protobuf message,
/// through the message's descriptors: field names, types, enums, nesting, repetition, maps and oneofs all come from
/// the generated code of the <c>.proto</c>, none is known here. Ours because Google.Protobuf's C# runtime has no text
/// format and will not get one (protocolbuffers/protobuf#6654: its maintainers point to JSON instead), and no
/// package served here reads it. As protobuf's own parsers: an unknown field, a value of the wrong type, a field
/// not repeated but given twice, or two members of one oneof are errors naming the field, the file and the place.
/// </summary>
internal static class ProtobufTextFormat
{
    /// <summary>Parses <paramref name="text"/> as a <typeparamref name="T"/>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="source">What errors name (the file).</param>
    /// <exception cref="FormatException">The text is not a valid <typeparamref name="T"/>; the message names the place and the field.</exception>
    public static T Parse<T>(string text, string source)
        where T : IMessage<T>, new()
    {
        var message = new T();
        var reader = new Reader(new TextFormatTokenizer(text, source));
        reader.ReadFields(message, end: null);
        return message;
    }

    private sealed class Reader(TextFormatTokenizer tokens)
    {
        private TextToken _token = tokens.Next();

        public void ReadFields(IMessage message, string? end)
        {
            var seen = new HashSet<int>();
            while (true)
            {
                if (end is null ? _token.Kind == TextTokenKind.End : IsSymbol(end))
                {
                    Advance();
                    return;
                }

                if (_token.Kind == TextTokenKind.End)
                {
                    throw Error(_token, $"the message is not closed: expected '{end}'");
                }

                ReadField(message, seen);
                if (IsSymbol(",") || IsSymbol(";"))
                {
                    Advance();
                }
            }
        }

        private void ReadField(IMessage message, HashSet<int> seen)
        {
            var nameToken = _token;
            if (nameToken.Kind != TextTokenKind.Word || !(char.IsAsciiLetter(nameToken.Text[0]) || nameToken.Text[0] == '_'))
            {
                throw Error(nameToken, $"expected a field name, found '{nameToken.Text}'");
            }

            var descriptor = message.Descriptor;
            var field = descriptor.FindFieldByName(nameToken.Text)
                ?? throw Error(nameToken, $"{descriptor.FullName} has no field named '{nameToken.Text}'");
            Advance();
            if (!field.IsRepeated && !seen.Add(field.FieldNumber))
            {
                throw Error(nameToken, $"field '{field.Name}' of {descriptor.FullName} is not repeated and is given more than once");
            }

            if (field.RealContainingOneof is { } oneof && oneof.Fields.FirstOrDefault(f => f != field && seen.Contains(f.FieldNumber)) is { } other)
            {
                throw Error(nameToken, $"fields '{other.Name}' and '{field.Name}' of {descriptor.FullName} are members of one oneof ({oneof.Name}): give one of them");
            }

            seen.Add(field.FieldNumber);
            var isMessage = field.FieldType == FieldType.Message;
            if (IsSymbol(":"))
            {
                Advance();
            }
            else if (!isMessage)
            {
                throw Error(_token, $"expected ':' after field '{field.Name}'");
            }

            if (IsSymbol("[") && field.IsRepeated)
            {
                Advance();
                while (!IsSymbol("]"))
                {
                    Add(message, field, ReadValue(field));
                    if (IsSymbol(","))
                    {
                        Advance();
                    }
                    else if (!IsSymbol("]"))
                    {
                        throw Error(_token, $"expected ',' or ']' in the list of field '{field.Name}'");
                    }
                }

                Advance();
                return;
            }

            Add(message, field, ReadValue(field));
        }

        private object ReadValue(FieldDescriptor field)
        {
            if (field.IsMap)
            {
                return ReadMapEntry(field);
            }

            if (field.FieldType == FieldType.Message)
            {
                var value = (IMessage)Activator.CreateInstance(field.MessageType.ClrType)!;
                ReadFields(value, Open(field));
                return value;
            }

            return ReadScalar(field);
        }

        private KeyValuePair<object, object> ReadMapEntry(FieldDescriptor field)
        {
            var keyField = field.MessageType.FindFieldByNumber(1);
            var valueField = field.MessageType.FindFieldByNumber(2);
            var close = Open(field);
            object? key = null;
            object? value = null;
            while (!IsSymbol(close))
            {
                var name = _token;
                Advance();
                var part = name.Text == "key" ? keyField : name.Text == "value" ? valueField
                    : throw Error(name, $"an entry of map field '{field.Name}' has 'key' and 'value', not '{name.Text}'");
                if (IsSymbol(":"))
                {
                    Advance();
                }

                var read = ReadValue(part);
                if (part == keyField)
                {
                    key = read;
                }
                else
                {
                    value = read;
                }

                if (IsSymbol(",") || IsSymbol(";"))
                {
                    Advance();
                }
            }

            Advance();
            key ??= Default(keyField);
            value ??= Default(valueField);
            return new KeyValuePair<object, object>(key, value);
        }

        private static object Default(FieldDescriptor field) => field.FieldType switch
        {
            FieldType.Message => Activator.CreateInstance(field.MessageType.ClrType)!,
            FieldType.String => string.Empty,
            FieldType.Bytes => ByteString.Empty,
            FieldType.Bool => false,
            FieldType.Enum => Enum.ToObject(field.EnumType.ClrType, 0),
            _ => Convert.ChangeType(0, ClrType(field), CultureInfo.InvariantCulture),
        };

        private object ReadScalar(FieldDescriptor field)
        {
            var token = _token;
            Advance();
            try
            {
                return field.FieldType switch
                {
                    FieldType.String => token.Kind == TextTokenKind.String ? token.Text : throw Expected(token, field, "a quoted string"),
                    FieldType.Bytes => token.Kind == TextTokenKind.String ? ByteString.CopyFromUtf8(token.Text) : throw Expected(token, field, "a quoted string"),
                    FieldType.Bool => token.Text switch
                    {
                        "true" or "True" or "t" or "1" => true,
                        "false" or "False" or "f" or "0" => false,
                        _ => throw Expected(token, field, "true or false"),
                    },
                    FieldType.Enum => ReadEnum(token, field),
                    FieldType.Float => (float)ReadFloat(token, field),
                    FieldType.Double => ReadFloat(token, field),
                    _ when token.Kind == TextTokenKind.Word => Integer(ReadInteger(token, field), ClrType(field)),
                    _ => throw Expected(token, field, "a number"),
                };
            }
            catch (OverflowException)
            {
                throw Error(token, $"{token.Text} is out of range for field '{field.Name}' ({field.FieldType})");
            }
        }

        private object ReadEnum(TextToken token, FieldDescriptor field)
        {
            var value = token.Kind != TextTokenKind.Word ? null
                : field.EnumType.FindValueByName(token.Text)
                  ?? (int.TryParse(token.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? field.EnumType.FindValueByNumber(number) : null);
            return value is null
                ? throw Error(token, $"'{token.Text}' is not a value of {field.EnumType.FullName} (field '{field.Name}'); it has {string.Join(", ", field.EnumType.Values.Select(v => v.Name))}")
                : Enum.ToObject(field.EnumType.ClrType, value.Number);
        }

        private System.Numerics.BigInteger ReadInteger(TextToken token, FieldDescriptor field)
        {
            var text = token.Text;
            var negative = text.StartsWith('-');
            var digits = negative || text.StartsWith('+') ? text[1..] : text;
            System.Numerics.BigInteger value;
            bool parsed;
            if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && digits.Length > 2)
            {
                parsed = System.Numerics.BigInteger.TryParse("0" + digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
            }
            else if (digits.Length > 1 && digits[0] == '0' && digits.All(c => c is >= '0' and <= '7'))
            {
                value = digits.Aggregate(System.Numerics.BigInteger.Zero, (sum, c) => (sum * 8) + (c - '0'));
                parsed = true;
            }
            else
            {
                parsed = System.Numerics.BigInteger.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
            }

            return parsed ? (negative ? -value : value) : throw Expected(token, field, "an integer");
        }

        private double ReadFloat(TextToken token, FieldDescriptor field)
        {
            var text = token.Text.TrimEnd('f', 'F');
            var lower = token.Text.ToLowerInvariant();
            if (lower is "inf" or "infinity" or "-inf" or "-infinity" or "nan")
            {
                return lower == "nan" ? double.NaN : lower.StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;
            }

            return token.Kind == TextTokenKind.Word && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw Expected(token, field, "a number");
        }

        /// <summary>The integer as the field's type; <see cref="OverflowException"/> when it does not fit.</summary>
        private static object Integer(System.Numerics.BigInteger value, Type type) =>
            type == typeof(int) ? (object)(int)value
            : type == typeof(long) ? (object)(long)value
            : type == typeof(uint) ? (object)(uint)value
            : type == typeof(ulong) ? (object)(ulong)value
            : type == typeof(float) ? (object)(float)value
            : (object)(double)value;

        private static Type ClrType(FieldDescriptor field) => field.FieldType switch
        {
            FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => typeof(int),
            FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => typeof(long),
            FieldType.UInt32 or FieldType.Fixed32 => typeof(uint),
            FieldType.UInt64 or FieldType.Fixed64 => typeof(ulong),
            FieldType.Float => typeof(float),
            FieldType.Double => typeof(double),
            _ => throw new InvalidOperationException($"Field '{field.Name}' ({field.FieldType}) is not a number."),
        };

        private static void Add(IMessage message, FieldDescriptor field, object value)
        {
            if (field.IsMap)
            {
                var (key, entry) = (KeyValuePair<object, object>)value;
                ((IDictionary)field.Accessor.GetValue(message))[key] = entry;
            }
            else if (field.IsRepeated)
            {
                ((IList)field.Accessor.GetValue(message)).Add(value);
            }
            else
            {
                field.Accessor.SetValue(message, value);
            }
        }

        /// <summary>Reads the '{' or '&lt;' that opens a message value and returns what closes it.</summary>
        private string Open(FieldDescriptor field)
        {
            var close = IsSymbol("{") ? "}" : IsSymbol("<") ? ">" : throw Error(_token, $"expected '{{' to open the value of field '{field.Name}'");
            Advance();
            return close;
        }

        private bool IsSymbol(string symbol) => _token.Kind == TextTokenKind.Symbol && _token.Text == symbol;

        private void Advance() => _token = tokens.Next();

        private FormatException Expected(TextToken token, FieldDescriptor field, string what) =>
            Error(token, $"field '{field.Name}' takes {what}, not '{token.Text}'");

        private FormatException Error(TextToken token, string message) => tokens.Error(token.Line, token.Column, message);
    }
}
