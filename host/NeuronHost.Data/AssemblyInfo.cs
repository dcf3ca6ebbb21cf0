namespace NeuronHost.Data;
