using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Plugins;

/// <summary>A plugin as its assembly's metadata declares it, read without running any of its
/// code. <see cref="Name"/>, <see cref="Description"/> and <see cref="Version"/> are null when
/// the plugin computes its <c>Info</c> instead of constructing it from constants.</summary>
public sealed record PluginDeclaration(
    string TypeName,
    PluginKind Kind,
    string? Name,
    string? Description,
    Version? Version,
    IReadOnlyList<ParameterDeclaration> Parameters);

/// <summary>A <see cref="PluginParameterAttribute"/> property as declared: kebab-case name, type
/// as shown to users, default as the user would type it (null when the constructor computes it),
/// description.</summary>
public sealed record ParameterDeclaration(string Name, string TypeName, string? DefaultText, string Description, IReadOnlyList<string> Choices);

/// <summary>Reads plugin declarations from a .dll with System.Reflection.Metadata: the public
/// classes implementing the SDK's plugin interfaces (directly or through base classes in the same
/// assembly), the constants passed to <c>new PluginInfo(…)</c>, the parameter properties, and
/// their defaults from the constant initialisers in the constructor. Nothing is loaded or run,
/// so a plugin whose constructor, static constructor or module initializer misbehaves is still
/// listed.</summary>
internal static class PluginMetadataReader
{
    private const string Sdk = "NeuronHost.Sdk";

    public static IReadOnlyList<PluginDeclaration> Read(string dllPath)
    {
        using var stream = File.OpenRead(dllPath);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var result = new List<PluginDeclaration>();
        foreach (var handle in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(handle);
            if ((type.Attributes & TypeAttributes.VisibilityMask) != TypeAttributes.Public) continue;
            if ((type.Attributes & (TypeAttributes.Interface | TypeAttributes.Abstract)) != 0) continue;
            if (type.GetGenericParameters().Count > 0) continue;
            var kind = KindOf(md, handle);
            if (kind is null) continue;
            var il = new IlConstants(md, pe, handle);
            var info = il.PluginInfo();
            result.Add(new PluginDeclaration(FullName(md, type), kind.Value, info?.Name, info?.Description, info?.Version,
                Parameters(md, type, il)));
        }
        return result;
    }

    /// <summary>The plugin kind from the SDK interfaces the type or its base classes (in this
    /// assembly) implement; null when none.</summary>
    private static PluginKind? KindOf(MetadataReader md, TypeDefinitionHandle handle)
    {
        for (int depth = 0; depth < 32 && !handle.IsNil; depth++)
        {
            var type = md.GetTypeDefinition(handle);
            foreach (var implementation in type.GetInterfaceImplementations())
            {
                var iface = md.GetInterfaceImplementation(implementation).Interface;
                if (iface.Kind != HandleKind.TypeReference) continue;
                var reference = md.GetTypeReference((TypeReferenceHandle)iface);
                if (md.GetString(reference.Namespace) != Sdk) continue;
                switch (md.GetString(reference.Name))
                {
                    case nameof(IRankingMethod): return PluginKind.Ranking;
                    case nameof(IProbe): return PluginKind.Probe;
                    case nameof(IIntervention): return PluginKind.Intervention;
                }
            }
            handle = type.BaseType.Kind == HandleKind.TypeDefinition ? (TypeDefinitionHandle)type.BaseType : default;
        }
        return null;
    }

    private static List<ParameterDeclaration> Parameters(MetadataReader md, TypeDefinition type, IlConstants il)
    {
        var result = new List<ParameterDeclaration>();
        foreach (var propertyHandle in type.GetProperties())
        {
            var property = md.GetPropertyDefinition(propertyHandle);
            string? description = null;
            foreach (var attributeHandle in property.GetCustomAttributes())
            {
                var attribute = md.GetCustomAttribute(attributeHandle);
                if (AttributeTypeName(md, attribute) != $"{Sdk}.{nameof(PluginParameterAttribute)}") continue;
                var blob = md.GetBlobReader(attribute.Value);
                if (blob.ReadUInt16() == 1) description = blob.ReadSerializedString();
            }
            if (description is null) continue;
            string name = md.GetString(property.Name);
            var clrType = property.DecodeSignature(new TypeNames(md), null).ReturnType;
            var (typeName, choices) = Describe(md, clrType);
            string? defaultText = il.Default(name, clrType) is { } known ? Format(known, clrType) : null;
            result.Add(new ParameterDeclaration(PluginParameters.ToKebabCase(name), typeName, defaultText, description, choices));
        }
        return result;
    }

    private static (string TypeName, IReadOnlyList<string> Choices) Describe(MetadataReader md, DeclaredType type)
    {
        if (type.Nullable is { } inner)
        {
            var (name, choices) = Describe(md, inner);
            return (name + " (optional)", choices);
        }
        if (type.EnumValues is { } values)
        {
            var choices = values.Select(v => PluginParameters.ToKebabCase(v.Name)).ToArray();
            return ("one of " + string.Join("|", choices), choices);
        }
        return (type.Name switch
        {
            "int" or "long" => "integer",
            "double" or "float" => "number",
            "bool" => "true/false",
            "string" => "text",
            "int[]" => "integer list",
            "double[]" => "number list",
            _ => type.Name,
        }, []);
    }

    /// <summary>A default as <see cref="PluginParameters.Format"/> shows it.</summary>
    private static string Format(object value, DeclaredType type)
    {
        if (type.Nullable is { } inner) return Format(value, inner);
        if (type.EnumValues is { } values)
            return values.FirstOrDefault(v => Equals(v.Value, Convert.ToInt64(value))).Name is { } name
                ? PluginParameters.ToKebabCase(name) : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!;
        object typed = type.Name switch
        {
            "bool" => Convert.ToInt64(value) != 0,
            "long" => Convert.ToInt64(value),
            "float" => Convert.ToSingle(value),
            "double" => Convert.ToDouble(value),
            "double[]" when value is float[] a => a.Select(x => (double)x).ToArray(),
            _ => value,
        };
        return PluginParameters.Format(typed);
    }

    internal static string? AttributeTypeName(MetadataReader md, CustomAttribute attribute)
    {
        if (attribute.Constructor.Kind != HandleKind.MemberReference) return null;
        var parent = md.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
        if (parent.Kind != HandleKind.TypeReference) return null;
        var reference = md.GetTypeReference((TypeReferenceHandle)parent);
        return $"{md.GetString(reference.Namespace)}.{md.GetString(reference.Name)}";
    }

    private static string FullName(MetadataReader md, TypeDefinition type)
    {
        var ns = md.GetString(type.Namespace);
        var name = md.GetString(type.Name);
        return ns.Length == 0 ? name : $"{ns}.{name}";
    }

    /// <summary>A parameter's type as the metadata says: a C# keyword name, an enum with its
    /// values (when declared in this assembly), or Nullable of one of those.</summary>
    internal sealed record DeclaredType(string Name, DeclaredType? Nullable = null, IReadOnlyList<(string Name, long Value)>? EnumValues = null);

    private sealed class TypeNames(MetadataReader md) : ISignatureTypeProvider<DeclaredType, object?>
    {
        public DeclaredType GetPrimitiveType(PrimitiveTypeCode typeCode) => new(typeCode switch
        {
            PrimitiveTypeCode.Int32 => "int",
            PrimitiveTypeCode.Int64 => "long",
            PrimitiveTypeCode.Double => "double",
            PrimitiveTypeCode.Single => "float",
            PrimitiveTypeCode.Boolean => "bool",
            PrimitiveTypeCode.String => "string",
            _ => typeCode.ToString(),
        });
        public DeclaredType GetSZArrayType(DeclaredType elementType) => new(elementType.Name + "[]");
        public DeclaredType GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            var type = md.GetTypeDefinition(handle);
            var values = new List<(string, long)>();
            foreach (var fieldHandle in type.GetFields())
            {
                var field = md.GetFieldDefinition(fieldHandle);
                if ((field.Attributes & FieldAttributes.Literal) == 0 || field.GetDefaultValue().IsNil) continue;
                var constant = md.GetConstant(field.GetDefaultValue());
                var blob = md.GetBlobReader(constant.Value);
                long value = constant.TypeCode switch
                {
                    ConstantTypeCode.Int32 => blob.ReadInt32(),
                    ConstantTypeCode.Int64 => blob.ReadInt64(),
                    ConstantTypeCode.Int16 => blob.ReadInt16(),
                    ConstantTypeCode.Byte => blob.ReadByte(),
                    _ => 0,
                };
                values.Add((md.GetString(field.Name), value));
            }
            return new DeclaredType(md.GetString(type.Name), EnumValues: rawTypeKind == (byte)SignatureTypeKind.ValueType && values.Count > 0 ? values : null);
        }
        /// <summary>Enums of the SDK (which the host has loaded itself) come with their values.</summary>
        public DeclaredType GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            var reference = md.GetTypeReference(handle);
            string ns = md.GetString(reference.Namespace), name = md.GetString(reference.Name);
            if (ns.StartsWith(Sdk, StringComparison.Ordinal) && typeof(IPlugin).Assembly.GetType($"{ns}.{name}") is { IsEnum: true } sdkEnum)
                return new DeclaredType(name, EnumValues: Enum.GetNames(sdkEnum).Select(n => (n, Convert.ToInt64(Enum.Parse(sdkEnum, n)))).ToArray());
            return new DeclaredType(name);
        }
        public DeclaredType GetGenericInstantiation(DeclaredType genericType, ImmutableArray<DeclaredType> typeArguments) =>
            genericType.Name == "Nullable`1" && typeArguments.Length == 1 ? new DeclaredType(typeArguments[0].Name + "?", typeArguments[0]) : new(genericType.Name);
        public DeclaredType GetArrayType(DeclaredType elementType, ArrayShape shape) => new(elementType.Name + "[,]");
        public DeclaredType GetByReferenceType(DeclaredType elementType) => elementType;
        public DeclaredType GetPointerType(DeclaredType elementType) => elementType;
        public DeclaredType GetFunctionPointerType(MethodSignature<DeclaredType> signature) => new("fnptr");
        public DeclaredType GetGenericMethodParameter(object? genericContext, int index) => new("T");
        public DeclaredType GetGenericTypeParameter(object? genericContext, int index) => new("T");
        public DeclaredType GetModifiedType(DeclaredType modifier, DeclaredType unmodifiedType, bool isRequired) => unmodifiedType;
        public DeclaredType GetPinnedType(DeclaredType elementType) => elementType;
        public DeclaredType GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
    }
}
