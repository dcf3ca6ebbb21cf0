using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace NeuronHost.Core.Plugins;

/// <summary>The constants a plugin type's IL passes to <c>new PluginInfo(…)</c> and stores into
/// its auto-properties in the parameterless constructor — what C# property initialisers like
/// <c>= 5</c>, <c>= "x"</c>, <c>= Mode.Fast</c> or <c>= [1, 5, 10]</c> compile to. A small
/// evaluation of the IL: constant loads, arrays, <c>new Version(…)</c>; anything else makes the
/// value unknown (null). Reads the metadata only; nothing runs.</summary>
internal sealed class IlConstants(MetadataReader md, PEReader pe, TypeDefinitionHandle typeHandle)
{
    private static readonly Dictionary<ushort, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => (ushort)o.Value);

    private static readonly object Unknown = new();
    private sealed record FieldToken(FieldDefinitionHandle Field);
    private sealed record Stored(string Field, object? Value);

    private readonly TypeDefinition type = md.GetTypeDefinition(typeHandle);

    public sealed record Info(string Name, string Description, Version Version);

    /// <summary>The constants of the first <c>new PluginInfo(name, kind, description, version)</c>
    /// in the type's methods, or null when they are not all constants.</summary>
    public Info? PluginInfo()
    {
        foreach (var methodHandle in type.GetMethods())
        {
            Info? found = null;
            Evaluate(methodHandle, onNewObject: (typeName, args) =>
            {
                if (found is null && typeName == "NeuronHost.Sdk.PluginInfo" && args is [string name, long, string description, Version version])
                    found = new Info(name, description, version);
            });
            if (found is not null) return found;
        }
        return null;
    }

    /// <summary>The value the parameterless constructor stores into the property's backing
    /// field (long, double, string, long[]/double[]), the type's zero value when it stores none,
    /// or null when unknown (a computed value, or not an auto-property).</summary>
    public object? Default(string property, PluginMetadataReader.DeclaredType declared)
    {
        string backingField = $"<{property}>k__BackingField";
        if (!type.GetFields().Any(f => md.StringComparer.Equals(md.GetFieldDefinition(f).Name, backingField))) return null;
        var constructor = type.GetMethods().FirstOrDefault(m =>
        {
            var method = md.GetMethodDefinition(m);
            if (!md.StringComparer.Equals(method.Name, ".ctor")) return false;
            var blob = md.GetBlobReader(method.Signature);
            blob.ReadSignatureHeader();
            return blob.ReadCompressedInteger() == 0;
        });
        if (constructor.IsNil) return null;
        var stores = new List<Stored>();
        Evaluate(constructor, onStore: stores.Add);
        var store = stores.LastOrDefault(s => s.Field == backingField);
        if (store is null) return ZeroValue(declared);
        return store.Value == Unknown ? null : store.Value;
    }

    /// <summary>What a field holds when the constructor stores nothing: 0, false, or null (shown as "").</summary>
    private static object ZeroValue(PluginMetadataReader.DeclaredType declared)
    {
        if (declared.Nullable is not null) return "";
        if (declared.Name is "int" or "long" or "bool" || declared.EnumValues is not null) return 0L;
        if (declared.Name is "double" or "float") return 0.0;
        return "";
    }

    private void Evaluate(MethodDefinitionHandle methodHandle, Action<string, object?[]>? onNewObject = null, Action<Stored>? onStore = null)
    {
        var method = md.GetMethodDefinition(methodHandle);
        if (method.RelativeVirtualAddress == 0) return;
        var il = pe.GetMethodBody(method.RelativeVirtualAddress).GetILReader();
        var stack = new List<object?>();
        object? Pop() { if (stack.Count == 0) return Unknown; var v = stack[^1]; stack.RemoveAt(stack.Count - 1); return v; }
        while (il.RemainingBytes > 0)
        {
            ushort code = il.ReadByte();
            if (code == 0xFE) code = (ushort)(0xFE00 | il.ReadByte());
            if (!OpCodesByValue.TryGetValue(code, out var op)) return; // not IL we understand
            switch (op.OperandType)
            {
                case OperandType.InlineNone:
                    if (op == OpCodes.Ldc_I4_M1) stack.Add(-1L);
                    else if (op.Value >= OpCodes.Ldc_I4_0.Value && op.Value <= OpCodes.Ldc_I4_8.Value) stack.Add((long)(op.Value - OpCodes.Ldc_I4_0.Value));
                    else if (op == OpCodes.Ldnull) stack.Add(null);
                    else if (op == OpCodes.Ldarg_0) stack.Add(Unknown);
                    else if (op == OpCodes.Dup) stack.Add(stack.Count > 0 ? stack[^1] : Unknown);
                    else if (op == OpCodes.Nop || op == OpCodes.Conv_I8 || op == OpCodes.Conv_I4 || op == OpCodes.Conv_I) { }
                    else if (op == OpCodes.Conv_R8 || op == OpCodes.Conv_R4) stack.Add(Pop() is long l ? (double)l : Unknown);
                    else if (op == OpCodes.Stelem_I4 || op == OpCodes.Stelem_I8 || op == OpCodes.Stelem_R8 || op == OpCodes.Stelem_R4) StoreElement();
                    else stack.Clear();
                    break;
                case OperandType.ShortInlineI:
                    long shortValue = op == OpCodes.Ldc_I4_S ? il.ReadSByte() : il.ReadByte();
                    if (op == OpCodes.Ldc_I4_S) stack.Add(shortValue); else stack.Clear();
                    break;
                case OperandType.InlineI:
                    int inlineValue = il.ReadInt32();
                    if (op == OpCodes.Ldc_I4) stack.Add((long)inlineValue); else stack.Clear();
                    break;
                case OperandType.InlineI8:
                    long longValue = il.ReadInt64();
                    if (op == OpCodes.Ldc_I8) stack.Add(longValue); else stack.Clear();
                    break;
                case OperandType.ShortInlineR:
                    stack.Add((double)il.ReadSingle());
                    break;
                case OperandType.InlineR:
                    stack.Add(il.ReadDouble());
                    break;
                case OperandType.InlineString:
                    stack.Add(md.GetUserString(MetadataTokens.UserStringHandle(il.ReadInt32())));
                    break;
                case OperandType.InlineField:
                    var field = MetadataTokens.EntityHandle(il.ReadInt32());
                    if (op == OpCodes.Stfld)
                    {
                        var value = Pop();
                        Pop();
                        if (field.Kind == HandleKind.FieldDefinition)
                            onStore?.Invoke(new Stored(md.GetString(md.GetFieldDefinition((FieldDefinitionHandle)field).Name), value));
                    }
                    else stack.Clear();
                    break;
                case OperandType.InlineTok:
                    var token = MetadataTokens.EntityHandle(il.ReadInt32());
                    if (op == OpCodes.Ldtoken && token.Kind == HandleKind.FieldDefinition) stack.Add(new FieldToken((FieldDefinitionHandle)token));
                    else stack.Clear();
                    break;
                case OperandType.InlineType:
                    var elementType = MetadataTokens.EntityHandle(il.ReadInt32());
                    if (op == OpCodes.Newarr && Pop() is long length && length is >= 0 and <= 10_000)
                        stack.Add(TypeName(elementType) switch
                        {
                            "System.Int32" => new int[length],
                            "System.Int64" => new long[length],
                            "System.Double" => new double[length],
                            "System.Single" => new float[length],
                            _ => Unknown,
                        });
                    else if (op == OpCodes.Stelem) StoreElement();
                    else stack.Clear();
                    break;
                case OperandType.InlineMethod:
                    var target = MetadataTokens.EntityHandle(il.ReadInt32());
                    var (owner, name, parameters) = Describe(target);
                    if (op == OpCodes.Newobj && name == ".ctor")
                    {
                        var args = new object?[parameters];
                        for (int i = parameters - 1; i >= 0; i--) args[i] = Pop();
                        onNewObject?.Invoke(owner, args);
                        stack.Add(owner == "System.Version" && args.All(a => a is long) && args.Length is >= 2 and <= 4
                            ? CreateVersion(args.Cast<long>().Select(a => (int)a).ToArray()) : Unknown);
                    }
                    else if (op == OpCodes.Call && owner == "System.Runtime.CompilerServices.RuntimeHelpers" && name == "InitializeArray")
                    {
                        var data = Pop();
                        var array = Pop();
                        if (data is FieldToken f) FillFromFieldData(array, f.Field);
                    }
                    else stack.Clear();
                    break;
                case OperandType.InlineSwitch:
                    int cases = il.ReadInt32();
                    il.Offset += cases * 4;
                    stack.Clear();
                    break;
                default:
                    il.Offset += op.OperandType switch
                    {
                        OperandType.ShortInlineBrTarget or OperandType.ShortInlineVar => 1,
                        OperandType.InlineVar => 2,
                        _ => 4,
                    };
                    stack.Clear();
                    break;
            }
        }

        void StoreElement()
        {
            var value = Pop();
            var index = Pop();
            var array = Pop();
            if (index is not long i || i < 0) return;
            switch (array)
            {
                case int[] a when value is long v && i < a.Length: a[i] = (int)v; break;
                case long[] a when value is long v && i < a.Length: a[i] = v; break;
                case double[] a when value is double or long && i < a.Length: a[i] = Convert.ToDouble(value); break;
                case float[] a when value is double or long && i < a.Length: a[i] = Convert.ToSingle(value); break;
            }
        }
    }

    private static Version CreateVersion(int[] parts) => parts.Length switch
    {
        2 => new Version(parts[0], parts[1]),
        3 => new Version(parts[0], parts[1], parts[2]),
        _ => new Version(parts[0], parts[1], parts[2], parts[3]),
    };

    /// <summary>Copies a static data blob (what <c>InitializeArray</c> copies) into a known array.</summary>
    private void FillFromFieldData(object? array, FieldDefinitionHandle handle)
    {
        int rva = md.GetFieldDefinition(handle).GetRelativeVirtualAddress();
        if (rva == 0) return;
        var reader = pe.GetSectionData(rva).GetReader();
        switch (array)
        {
            case int[] a: for (int i = 0; i < a.Length && reader.RemainingBytes >= 4; i++) a[i] = reader.ReadInt32(); break;
            case long[] a: for (int i = 0; i < a.Length && reader.RemainingBytes >= 8; i++) a[i] = reader.ReadInt64(); break;
            case double[] a: for (int i = 0; i < a.Length && reader.RemainingBytes >= 8; i++) a[i] = reader.ReadDouble(); break;
            case float[] a: for (int i = 0; i < a.Length && reader.RemainingBytes >= 4; i++) a[i] = reader.ReadSingle(); break;
        }
    }

    /// <summary>Owner type's full name, member name and parameter count of a method token.</summary>
    private (string Owner, string Name, int Parameters) Describe(EntityHandle handle)
    {
        switch (handle.Kind)
        {
            case HandleKind.MemberReference:
                var member = md.GetMemberReference((MemberReferenceHandle)handle);
                return (TypeName(member.Parent), md.GetString(member.Name), ParameterCount(member.Signature));
            case HandleKind.MethodDefinition:
                var method = md.GetMethodDefinition((MethodDefinitionHandle)handle);
                return (TypeName(method.GetDeclaringType()), md.GetString(method.Name), ParameterCount(method.Signature));
            default:
                return ("", "", 0);
        }
    }

    private int ParameterCount(BlobHandle signature)
    {
        var blob = md.GetBlobReader(signature);
        var header = blob.ReadSignatureHeader();
        if (header.IsGeneric) blob.ReadCompressedInteger();
        return blob.ReadCompressedInteger();
    }

    private string TypeName(EntityHandle handle)
    {
        switch (handle.Kind)
        {
            case HandleKind.TypeReference:
                var reference = md.GetTypeReference((TypeReferenceHandle)handle);
                return $"{md.GetString(reference.Namespace)}.{md.GetString(reference.Name)}";
            case HandleKind.TypeDefinition:
                var definition = md.GetTypeDefinition((TypeDefinitionHandle)handle);
                return $"{md.GetString(definition.Namespace)}.{md.GetString(definition.Name)}";
            default:
                return "";
        }
    }
}
