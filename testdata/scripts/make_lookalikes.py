#!/usr/bin/python3
"""Builds testdata/lookalikes/: small ONNX models shaped like what real exporters write, with reference
cases for the backward nets (DeconvNet, SaliNet, DeSaliNet).

Two families:
  * tf2onnx look-alikes (NHWC input, Transposes, SAME padding, Pad nodes, depthwise convs, Clip as ReLU6,
    BatchNorm folded into Mul/Add, ReduceMean, MatMul+Add, Softmax), opsets 11 and 13;
  * Caffe2-zoo look-alikes (onnx-caffe2 exports: IR 3, every initializer also listed as a graph input,
    unnamed nodes, legacy attributes such as consumed_inputs / is_test / broadcast+axis), opsets 3 and 6.

The expected arrays are NOT computed by dnnvis: each model has an independent float64 PyTorch twin
(an interpreter of the ONNX graph for the tf2onnx family, a hand-written forward for the Caffe2 family)
and the backward nets are computed with autograd, with custom backward rules for Relu (and LRN).

Run with Debian's interpreter (onnx 1.12, numpy, torch 1.13), from anywhere:
    /usr/bin/python3 testdata/scripts/make_lookalikes.py
Output is deterministic (fixed seeds); the folder is rewritten from scratch.
"""
import json
import math
import os
import shutil
import zlib

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

torch.set_default_dtype(torch.float64)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lookalikes')
METHODS = ('salinet', 'deconvnet', 'desalinet')


# =====================================================================================================
# Backward rules shared by both twins
# =====================================================================================================

class _ReluGate(torch.autograd.Function):
    """y = relu(x) forward; backward per method: SaliNet g*[x>0], DeconvNet max(g,0), DeSaliNet max(g,0)*[x>0]."""

    @staticmethod
    def forward(ctx, x, method):
        ctx.save_for_backward(x)
        ctx.method = method
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        mask = (x > 0).to(g.dtype)
        if ctx.method == 'deconvnet':
            return g.clamp(min=0), None
        if ctx.method == 'desalinet':
            return g.clamp(min=0) * mask, None
        return g * mask, None


def relu(x, method):
    return F.relu(x) if method == 'salinet' else _ReluGate.apply(x, method)


def pass_through(x, y, method):
    """y's value with the backward of identity (DeconvNet and DeSaliNet treat LRN so); SaliNet: exact."""
    return y if method == 'salinet' else y.detach() + (x - x.detach())


# =====================================================================================================
# Family 1: tf2onnx look-alikes (copied from the sweep's build_models.py)
# =====================================================================================================

class TfBuilder:
    """Writes nodes the way tf2onnx names them: 'scope/Op_k' outputs, '<output>_node' node names."""

    def __init__(self, name, seed):
        self.nodes, self.inits, self.name = [], [], name
        self.rng = np.random.default_rng(seed)
        self.k = 0

    def uid(self, p):
        self.k += 1
        return f'{self.name}/{p}_{self.k}'

    def const(self, arr, p='c'):
        n = self.uid(p)
        self.inits.append(numpy_helper.from_array(np.asarray(arr), n))
        return n

    def node(self, op, ins, p=None, **kw):
        out = self.uid(p or op)
        self.nodes.append(helper.make_node(op, ins, [out], name=out.replace('/', '_') + '_node', **kw))
        return out

    def w(self, *shape, scale=None):
        fan = np.prod(shape[1:]) if len(shape) > 1 else shape[0]
        scale = scale or np.sqrt(2.0 / fan)
        return (self.rng.standard_normal(shape) * scale).astype(np.float32)

    def conv(self, x, cin, cout, k, s=1, pad='SAME_UPPER', group=1, bias=True, d=1):
        W = self.w(cout, cin // group, k, k)
        ins = [x, self.const(W, 'W')]
        if bias:
            ins.append(self.const((self.rng.standard_normal(cout) * 0.1).astype(np.float32), 'b'))
        kw = dict(kernel_shape=[k, k], strides=[s, s], group=group)
        if d != 1:
            kw['dilations'] = [d, d]
        if pad in ('SAME_UPPER', 'VALID'):
            kw['auto_pad'] = pad
        else:
            kw['pads'] = pad
        return self.node('Conv', ins, 'Conv2D', **kw)

    def bn_muladd(self, x, c, shape=None):
        """Keras BatchNormalization after tf2onnx's folding: Mul by scale, Add offset ([C,1,1] or NHWC [C])."""
        shape = shape or [c, 1, 1]
        m = (1 + 0.2 * self.rng.standard_normal(c)).astype(np.float32).reshape(shape)
        a = (0.1 * self.rng.standard_normal(c)).astype(np.float32).reshape(shape)
        y = self.node('Mul', [x, self.const(m, 'bn_mul')], 'BatchNorm_mul')
        return self.node('Add', [y, self.const(a, 'bn_add')], 'BatchNorm_add')

    def relu6(self, x):
        return self.node('Clip', [x, self.const(np.array(0, np.float32), 'min'),
                                  self.const(np.array(6, np.float32), 'max')], 'Relu6')

    def dense(self, x, cin, cout):
        y = self.node('MatMul', [x, self.const(self.w(cin, cout), 'kernel')], 'MatMul')
        return self.node('Add', [y, self.const((0.1 * self.rng.standard_normal(cout)).astype(np.float32), 'bias')],
                         'BiasAdd')

    def model(self, inp, out, in_shape, out_shape, opset):
        g = helper.make_graph(self.nodes, self.name,
                              [helper.make_tensor_value_info(inp, TensorProto.FLOAT, in_shape)],
                              [helper.make_tensor_value_info(out, TensorProto.FLOAT, out_shape)], self.inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid('', opset)], producer_name='tf2onnx',
                              producer_version='1.9.3')
        m.ir_version = 7
        onnx.checker.check_model(m)
        return m


def tf_mobilenetv2_block():
    """m1, opset 13, 32x32 NHWC, MobileNetV2-like: SAME stride-2 conv (pads 0/1), BN as Mul/Add [C,1,1],
    Clip ReLU6 (min/max inputs), depthwise SAME conv, Identity, pointwise conv, residual Add,
    ReduceMean [2,3] keepdims=1, Squeeze with an axes input, MatMul+Add, Softmax."""
    b = TfBuilder('m1', 1)
    x = b.node('Transpose', ['input_1'], 'transpose', perm=[0, 3, 1, 2])
    y = b.conv(x, 3, 16, 3, s=2, bias=False)            # 32 -> 16, pads (0,1)
    y = b.relu6(b.bn_muladd(y, 16))
    r = y
    y = b.conv(y, 16, 16, 3, s=1, group=16, bias=False)  # depthwise
    y = b.relu6(b.bn_muladd(y, 16))
    y = b.node('Identity', [y], 'Identity')
    y = b.conv(y, 16, 16, 1, bias=False)
    y = b.bn_muladd(y, 16)
    y = b.node('Add', [y, r], 'add')                     # residual
    y = b.conv(y, 16, 24, 3, s=2, bias=True)             # 16 -> 8
    y = b.node('Relu', [y], 'Relu')
    y = b.node('ReduceMean', [y], 'Mean', axes=[2, 3], keepdims=1)
    y = b.node('Squeeze', [y, b.const(np.array([2, 3], np.int64), 'axes')], 'Squeeze')
    y = b.dense(y, 24, 10)
    y = b.node('Softmax', [y], 'Softmax', axis=-1)
    return b.model('input_1', y, [1, 32, 32, 3], [1, 10], 13)


def tf_pad_valid_maxpool():
    """m2, opset 11, odd 31x31 NHWC: NHWC Mul/Add with [3] constants before the Transpose, explicit Pad +
    VALID stride-2 conv, MaxPool SAME_UPPER, Clip ReLU6, Cast, Transpose back to NHWC + ReduceMean [1,2]
    keepdims=0, MatMul+Add, Softmax axis -1."""
    b = TfBuilder('m2', 2)
    x = b.node('Identity', ['input'], 'Identity')
    x = b.bn_muladd(x, 3, shape=[3])
    x = b.node('Transpose', [x], 'transpose', perm=[0, 3, 1, 2])
    x = b.node('Pad', [x, b.const(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), 'pads'),
                       b.const(np.array(0, np.float32), 'cval')], 'Pad', mode='constant')
    y = b.conv(x, 3, 12, 3, s=2, pad='VALID')            # 33 -> 16
    y = b.node('Relu', [y], 'Relu')
    y = b.node('MaxPool', [y], 'MaxPool', kernel_shape=[3, 3], strides=[2, 2], auto_pad='SAME_UPPER')  # 16 -> 8
    y = b.conv(y, 12, 20, 3, s=1)
    y = b.relu6(y)
    y = b.node('Cast', [y], 'Cast', to=TensorProto.FLOAT)
    y = b.node('Transpose', [y], 'transpose_back', perm=[0, 2, 3, 1])
    y = b.node('ReduceMean', [y], 'Mean', axes=[1, 2], keepdims=0)
    y = b.dense(y, 20, 7)
    y = b.node('Softmax', [y], 'Softmax', axis=-1)
    return b.model('input', y, [1, 31, 31, 3], [1, 7], 11)


def tf_odd_branches():
    """m3, opset 13, odd 33x33 NHWC: SAME 5x5 stride-2 conv, BN Mul/Add, two branches (1x1 and depthwise 3x3)
    added, ZeroPadding2D ((0,1),(0,1)) as Pad + VALID stride-2 conv, ReduceMean keepdims=1, Reshape [1,-1],
    MatMul+Add logits (no Softmax), Cast right after the input Transpose."""
    b = TfBuilder('m3', 3)
    x = b.node('Transpose', ['x'], 'transpose', perm=[0, 3, 1, 2])
    x = b.node('Cast', [x], 'Cast', to=TensorProto.FLOAT)
    y = b.conv(x, 3, 8, 5, s=2)                          # 33 -> 17, pads (2,2)
    y = b.node('Relu', [b.bn_muladd(y, 8)], 'Relu')
    a = b.conv(y, 8, 8, 1)
    c = b.conv(y, 8, 8, 3, group=8)                      # depthwise
    c = b.relu6(c)
    y = b.node('Add', [a, c], 'add')
    y = b.node('Relu', [y], 'Relu')
    y = b.node('Pad', [y, b.const(np.array([0, 0, 0, 0, 0, 0, 1, 1], np.int64), 'pads')], 'Pad', mode='constant')
    y = b.conv(y, 8, 16, 3, s=2, pad='VALID')            # 18 -> 8
    y = b.node('Relu', [y], 'Relu')
    y = b.node('ReduceMean', [y], 'Mean', axes=[2, 3], keepdims=1)
    y = b.node('Reshape', [y, b.const(np.array([1, -1], np.int64), 'shape')], 'Reshape')
    y = b.node('Identity', [y], 'Identity')
    y = b.dense(y, 16, 5)
    return b.model('x', y, [1, 33, 33, 3], [1, 5], 13)


def tf_even_kernels_bn():
    """m4, opset 11, 32x32 NHWC: even kernels under SAME_UPPER (2x2 s1, 4x4 s2: asymmetric pads), a real
    BatchNormalization op, Clip ReLU6, MaxPool 2x2 s2 SAME, dilated conv (explicit pads), Transpose back to
    NHWC + Reshape [1,-1] (TF's flatten order) + MatMul+Add."""
    b = TfBuilder('m4', 4)
    x = b.node('Transpose', ['input_0'], 'transpose', perm=[0, 3, 1, 2])
    y = b.conv(x, 3, 8, 2, s=1)                          # 32 -> 32, pads (0,1)
    y = b.node('Relu', [y], 'Relu')
    y = b.conv(y, 8, 8, 4, s=2)                          # 32 -> 16, pads (1,2)
    bn = [b.const((1 + 0.2 * b.rng.standard_normal(8)).astype(np.float32), 'gamma'),
          b.const((0.1 * b.rng.standard_normal(8)).astype(np.float32), 'beta'),
          b.const((0.1 * b.rng.standard_normal(8)).astype(np.float32), 'mean'),
          b.const((1 + 0.3 * b.rng.random(8)).astype(np.float32), 'var')]
    y = b.node('BatchNormalization', [y] + bn, 'FusedBatchNorm', epsilon=1e-3)
    y = b.relu6(y)
    y = b.node('MaxPool', [y], 'MaxPool', kernel_shape=[2, 2], strides=[2, 2], auto_pad='SAME_UPPER')  # 16 -> 8
    y = b.conv(y, 8, 8, 3, s=1, d=2, pad=[2, 2, 2, 2])   # dilated
    y = b.node('Relu', [y], 'Relu')
    y = b.node('Transpose', [y], 'transpose_back', perm=[0, 2, 3, 1])
    y = b.node('Reshape', [y, b.const(np.array([1, -1], np.int64), 'shape')], 'flatten')
    y = b.dense(y, 8 * 8 * 8, 6)
    return b.model('input_0', y, [1, 32, 32, 3], [1, 6], 11)


def tf_dynbatch_midtranspose():
    """m5, opset 13, non-square 24x40 NHWC with a dynamic batch 'unk__618', Keras-SavedModel names with '/'
    and ':0'; a Transpose to NHWC mid-network for a BN Mul/Add with [C] constants and a Transpose back;
    MaxPool 3x3 s2 SAME (even input), residual of a 1x1 s2 shortcut and a 3x3 s2 SAME branch, NHWC
    ReduceMean [1,2] keepdims=0, Reshape [-1,C], MatMul+Add, Softmax, output through an Identity."""
    b = TfBuilder('StatefulPartitionedCall/model', 5)
    x = b.node('Transpose', ['input_1:0'], 'conv2d/Conv2D__6', perm=[0, 3, 1, 2])
    y = b.conv(x, 3, 16, 3, s=1)
    y = b.node('Relu', [y], 'conv2d/Relu')
    y = b.node('Transpose', [y], 'bn/transpose', perm=[0, 2, 3, 1])
    y = b.bn_muladd(y, 16, shape=[16])
    y = b.node('Transpose', [y], 'bn/transpose_back', perm=[0, 3, 1, 2])
    y = b.node('MaxPool', [y], 'max_pooling2d/MaxPool', kernel_shape=[3, 3], strides=[2, 2],
               auto_pad='SAME_UPPER')                    # 12x20
    a = b.conv(y, 16, 24, 1, s=2)                        # 6x10
    c = b.conv(y, 16, 24, 3, s=2)
    c = b.node('Cast', [b.relu6(c)], 'Cast', to=TensorProto.FLOAT)
    y = b.node('Add', [a, c], 'add/add')
    y = b.node('Relu', [y], 're_lu/Relu')
    y = b.node('Transpose', [y], 'global/transpose', perm=[0, 2, 3, 1])
    y = b.node('ReduceMean', [y], 'global_average_pooling2d/Mean', axes=[1, 2], keepdims=0)
    y = b.node('Reshape', [y, b.const(np.array([-1, 24], np.int64), 'shape')], 'flatten/Reshape')
    y = b.dense(y, 24, 8)
    y = b.node('Softmax', [y], 'dense/Softmax', axis=-1)
    b.nodes.append(helper.make_node('Identity', [y], ['Identity:0'], name='Identity'))
    return b.model('input_1:0', 'Identity:0', ['unk__618', 24, 40, 3], ['unk__619', 8], 13)


def tf_dynamic_reflectpad():
    """m6, opset 11, fully dynamic NHWC input ['unk__1','unk__2','unk__3',3] (the cases use 29x36):
    Keras Rescaling as scalar Mul/Add in NHWC, MirrorPad as Pad mode=reflect + VALID 5x5 conv, Relu,
    Pad mode=edge + VALID 3x3 s2 conv, ReduceMean keepdims=1, Squeeze (axes attribute), MatMul+Add."""
    b = TfBuilder('m6', 6)
    x = b.node('Mul', ['image:0', b.const(np.array(1 / 127.5, np.float32), 'scale')], 'rescaling/mul')
    x = b.node('Add', [x, b.const(np.array(-1, np.float32), 'offset')], 'rescaling/add')
    x = b.node('Transpose', [x], 'transpose', perm=[0, 3, 1, 2])
    x = b.node('Pad', [x, b.const(np.array([0, 0, 2, 2, 0, 0, 2, 2], np.int64), 'pads')], 'MirrorPad', mode='reflect')
    y = b.conv(x, 3, 8, 5, s=1, pad='VALID')
    y = b.node('Relu', [y], 'Relu')
    y = b.node('Pad', [y, b.const(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), 'pads')], 'EdgePad', mode='edge')
    y = b.conv(y, 8, 12, 3, s=2, pad='VALID')
    y = b.node('Relu', [y], 'Relu')
    y = b.node('ReduceMean', [y], 'Mean', axes=[2, 3], keepdims=1)
    y = b.node('Squeeze', [y], 'Squeeze', axes=[2, 3])
    y = b.dense(y, 12, 4)
    return b.model('image:0', y, ['unk__1', 'unk__2', 'unk__3', 3], ['unk__1', 4], 11)


# ---- float64 interpreter of exactly the ops above (copied from the sweep's ev.py)

def _attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _same_pads(in_sz, k, s, d):
    out = math.ceil(in_sz / s)
    total = max((out - 1) * s + (k - 1) * d + 1 - in_sz, 0)
    return total // 2, total - total // 2  # SAME_UPPER: the extra one at the end


def _text(v):
    return v.decode() if isinstance(v, bytes) else v


class OnnxTwin:
    """Runs an ONNX model of the tf2onnx family in float64 torch; returns every tensor by name."""

    def __init__(self, model):
        self.model = model
        self.opset = [o.version for o in model.opset_import if o.domain in ('', 'ai.onnx')][0]
        self.weights = {}
        for init in model.graph.initializer:
            a = numpy_helper.to_array(init)
            self.weights[init.name] = torch.tensor(a.astype(np.float64) if a.dtype.kind == 'f' else a)

    def forward(self, x, method='salinet'):
        env = dict(self.weights)
        env[self.model.graph.input[0].name] = x
        for n in self.model.graph.node:
            env[n.output[0]] = self._op(n, [env[i] if i else None for i in n.input], _attrs(n), method)
        return env

    def _op(self, n, I, A, method):
        op = n.op_type
        if op == 'Transpose':
            return I[0].permute(*A['perm'])
        if op in ('Identity', 'Cast'):
            assert op == 'Identity' or A['to'] == TensorProto.FLOAT
            return I[0]
        if op == 'Relu':
            return relu(I[0], method)
        if op == 'Clip':  # exact derivative under every method (dnnvis's default --gates relu)
            y = I[0]
            if len(I) > 1 and I[1] is not None:
                y = torch.maximum(y, I[1])
            if len(I) > 2 and I[2] is not None:
                y = torch.minimum(y, I[2])
            return y
        if op == 'Mul':
            return I[0] * I[1]
        if op == 'Add':
            return I[0] + I[1]
        if op == 'MatMul':
            return I[0] @ I[1]
        if op == 'Softmax':
            return torch.softmax(I[0], dim=A.get('axis', -1 if self.opset >= 13 else 1))
        if op == 'Pad':
            pads = [int(v) for v in I[1].tolist()]
            mode = _text(A.get('mode', b'constant'))
            val = float(I[2]) if len(I) > 2 and I[2] is not None else 0.0
            r = I[0].dim()
            fp = []
            for ax in reversed(range(r)):
                fp += [pads[ax], pads[ax + r]]
            if mode == 'constant':
                return F.pad(I[0], fp, value=val)
            assert fp[4:] == [0, 0, 0, 0]
            return F.pad(I[0], fp[:4], mode={'reflect': 'reflect', 'edge': 'replicate'}[mode])
        if op in ('Conv', 'MaxPool'):
            xin = I[0]
            k = list(I[1].shape[2:]) if op == 'Conv' else list(A['kernel_shape'])
            s = list(A.get('strides', [1, 1]))
            d = list(A.get('dilations', [1, 1]))
            ap = _text(A.get('auto_pad', b'NOTSET'))
            if ap == 'SAME_UPPER':
                ph, pw = _same_pads(xin.shape[2], k[0], s[0], d[0]), _same_pads(xin.shape[3], k[1], s[1], d[1])
            elif ap == 'VALID':
                ph, pw = (0, 0), (0, 0)
            else:
                p = list(A.get('pads', [0, 0, 0, 0]))
                ph, pw = (p[0], p[2]), (p[1], p[3])
            fill = -float('inf') if op == 'MaxPool' else 0.0
            xp = F.pad(xin, [pw[0], pw[1], ph[0], ph[1]], value=fill)
            if op == 'Conv':
                return F.conv2d(xp, I[1], I[2] if len(I) > 2 else None, stride=s, dilation=d,
                                groups=A.get('group', 1))
            return F.max_pool2d(xp, k, s, dilation=d)
        if op == 'BatchNormalization':
            sc, b, m, v = I[1:5]
            sh = (1, -1, 1, 1)
            return (I[0] - m.view(sh)) / torch.sqrt(v.view(sh) + A.get('epsilon', 1e-5)) * sc.view(sh) + b.view(sh)
        if op == 'ReduceMean':
            return I[0].mean(dim=tuple(A['axes']), keepdim=bool(A.get('keepdims', 1)))
        if op == 'Squeeze':
            y = I[0]
            for ax in sorted(A['axes'] if 'axes' in A else [int(v) for v in I[1].tolist()], reverse=True):
                y = y.squeeze(ax)
            return y
        if op == 'Reshape':
            return I[0].reshape([int(v) for v in I[1].tolist()])
        raise NotImplementedError(op)


# =====================================================================================================
# Family 2: Caffe2-zoo look-alikes (copied from the sweep's build.py and variants.py)
# =====================================================================================================

class CaffeNet:
    """Builds the ONNX graph in the opset's legal form and, alongside, a float64 torch forward (closures
    over the same weights). Node names are left empty, as onnx-caffe2 wrote them."""

    def __init__(self, name, opset, inshape, seed):
        self.name, self.opset = name, opset
        self.nodes, self.inits = [], []
        self.rng = np.random.RandomState(seed)
        self.ops = []              # closures (env, method) -> None, in graph order
        self.inshape = inshape
        self.probe = {'data_0': torch.zeros(inshape)}
        self.n = 0
        self.W = {}

    def uid(self, p):
        self.n += 1
        return f'{p}{self.n}'

    def init(self, name, arr, dtype=np.float32):
        arr = np.asarray(arr, dtype=dtype)
        self.inits.append(numpy_helper.from_array(arr, name))
        self.W[name] = arr
        return name

    def T(self, name):
        return torch.from_numpy(self.W[name].astype(np.float64))

    def add(self, fn, out):
        self.ops.append(fn)
        fn(self.probe, 'salinet')
        return out

    def node(self, op, ins, outs, **attrs):
        self.nodes.append(helper.make_node(op, ins, outs, **attrs))

    def shape(self, x):
        return tuple(self.probe[x].shape)

    @property
    def legacy(self):
        """Before opset 7: broadcast needs broadcast=1 (+axis), BN needs is_test, per-channel constants are 1-D."""
        return self.opset < 7

    # ---- layers
    def conv(self, x, cout, k, s=1, p=0, group=1, bias=True, name=None):
        cin = self.shape(x)[1]
        p = [p] * 4 if isinstance(p, int) else p  # [top, left, bottom, right]
        o = name or self.uid('conv')
        fan = cin // group * k * k
        w = self.init(o + '_w', self.rng.randn(cout, cin // group, k, k) * np.sqrt(2.0 / fan))
        ins = [x, w]
        if bias:
            ins.append(self.init(o + '_b', self.rng.randn(cout) * 0.1))
        self.node('Conv', ins, [o], kernel_shape=[k, k], strides=[s, s], pads=p, group=group)

        def fn(e, method, x=x, w=w, b=(ins[2] if bias else None)):
            xx = F.pad(e[x], (p[1], p[3], p[0], p[2]))
            e[o] = F.conv2d(xx, self.T(w), self.T(b) if b else None, stride=s, groups=group)
        return self.add(fn, o)

    def relu(self, x):
        o = self.uid('relu')
        self.node('Relu', [x], [o], **({'consumed_inputs': [0]} if self.opset < 6 else {}))
        return self.add(lambda e, method: e.__setitem__(o, relu(e[x], method)), o)

    def prelu(self, x):
        C = self.shape(x)[1]
        o = self.uid('prelu')
        sl = self.rng.uniform(0.05, 0.5, C)
        s = self.init(o + '_slope', sl if self.legacy else sl.reshape(C, 1, 1))
        self.node('PRelu', [x, s], [o], **({'consumed_inputs': [0, 0]} if self.opset < 6 else {}))

        def fn(e, method):
            e[o] = torch.where(e[x] >= 0, e[x], e[x] * self.T(s).reshape(1, C, 1, 1))
        return self.add(fn, o)

    def lrn(self, x, size=5, alpha=0.5, beta=0.75, bias=1.0):
        o = self.uid('lrn')
        self.node('LRN', [x], [o], size=size, alpha=alpha, beta=beta, bias=bias)

        def fn(e, method):
            X = e[x]
            C = X.shape[1]
            sq = F.pad(X * X, (0, 0, 0, 0, (size - 1) // 2, size // 2))  # pad the channel axis
            ss = sum(sq[:, i:i + C] for i in range(size))
            e[o] = pass_through(X, X / (bias + alpha / size * ss) ** beta, method)
        return self.add(fn, o)

    def maxpool(self, x, k, s, p=0):
        p = [p] * 4 if isinstance(p, int) else p
        o = self.uid('pool')
        self.node('MaxPool', [x], [o], kernel_shape=[k, k], strides=[s, s], pads=p)

        def fn(e, method):
            e[o] = F.max_pool2d(F.pad(e[x], (p[1], p[3], p[0], p[2]), value=-float('inf')), k, s)
        return self.add(fn, o)

    def avgpool(self, x, k, s, p=0):
        o = self.uid('avgpool')
        self.node('AveragePool', [x], [o], kernel_shape=[k, k], strides=[s, s], pads=[p] * 4)
        return self.add(lambda e, method: e.__setitem__(o, F.avg_pool2d(e[x], k, s, p, count_include_pad=False)), o)

    def gap(self, x):
        o = self.uid('gap')
        self.node('GlobalAveragePool', [x], [o])
        return self.add(lambda e, method: e.__setitem__(o, e[x].mean(dim=(2, 3), keepdim=True)), o)

    def concat(self, xs):
        o = self.uid('concat')
        self.node('Concat', xs, [o], **({} if self.opset < 4 else {'axis': 1}))  # axis defaulted to 1 before 4
        return self.add(lambda e, method: e.__setitem__(o, torch.cat([e[v] for v in xs], 1)), o)

    def bn(self, x, eps=1e-5):
        C = self.shape(x)[1]
        o = self.uid('bn')
        g = self.init(o + '_s', self.rng.uniform(0.5, 1.5, C))
        b = self.init(o + '_b', self.rng.randn(C) * 0.1)
        m = self.init(o + '_m', self.rng.randn(C) * 0.1)
        v = self.init(o + '_v', self.rng.uniform(0.5, 1.5, C))
        kw = {'epsilon': eps}
        if self.opset < 6:
            kw.update(consumed_inputs=[0, 0, 0, 1, 1], is_test=1)
        elif self.opset == 6:
            kw.update(is_test=1)
        self.node('BatchNormalization', [x, g, b, m, v], [o], **kw)

        def fn(e, method):
            sh = (1, C, 1, 1)
            e[o] = ((e[x] - self.T(m).reshape(sh)) / torch.sqrt(self.T(v).reshape(sh) + eps) * self.T(g).reshape(sh)
                    + self.T(b).reshape(sh))
        return self.add(fn, o)

    def chanop(self, x, op):
        """Caffe's Scale / Bias layer: Mul or Add by a per-channel constant (legacy: broadcast=1, axis=1)."""
        C = self.shape(x)[1]
        o = self.uid(op.lower())
        vals = self.rng.uniform(0.5, 1.5, C) if op == 'Mul' else self.rng.randn(C) * 0.1
        c = self.init(o + '_c', vals if self.legacy else vals.reshape(C, 1, 1))
        self.node(op, [x, c], [o], **({'broadcast': 1, 'axis': 1} if self.legacy else {}))

        def fn(e, method):
            cc = self.T(c).reshape(1, C, 1, 1)
            e[o] = e[x] * cc if op == 'Mul' else e[x] + cc
        return self.add(fn, o)

    def scale(self, x):
        return self.chanop(self.chanop(x, 'Mul'), 'Add')

    def sum(self, xs):
        o = self.uid('sum')
        self.node('Sum', xs, [o], **({'consumed_inputs': [0] * len(xs)} if self.opset < 6 else {}))
        return self.add(lambda e, method: e.__setitem__(o, sum(e[v] for v in xs)), o)

    def dropout(self, x, ratio=0.5):
        o = self.uid('drop')
        kw = {'ratio': ratio}
        if self.legacy:
            kw['is_test'] = 1
        self.node('Dropout', [x], [o], **kw)
        return self.add(lambda e, method: e.__setitem__(o, e[x]), o)

    def reshape(self, x, shape):
        o = self.uid('reshape')
        if self.opset < 5:
            self.node('Reshape', [x], [o], shape=list(shape))   # shape as an attribute before opset 5
        else:
            self.node('Reshape', [x, self.init(o + '_shape', np.array(shape), np.int64)], [o])

        def fn(e, method):
            e[o] = e[x].reshape([e[x].shape[i] if v == 0 else v for i, v in enumerate(shape)])
        return self.add(fn, o)

    def flatten(self, x):
        o = self.uid('flatten')
        self.node('Flatten', [x], [o], axis=1)
        return self.add(lambda e, method: e.__setitem__(o, e[x].reshape(e[x].shape[0], -1)), o)

    def transpose(self, x, perm):
        o = self.uid('transpose')
        self.node('Transpose', [x], [o], perm=list(perm))
        return self.add(lambda e, method: e.__setitem__(o, e[x].permute(*perm)), o)

    def gemm(self, x, nout):
        nin = self.shape(x)[1]
        o = self.uid('fc')
        w = self.init(o + '_w', self.rng.randn(nout, nin) * np.sqrt(2.0 / nin))
        b = self.init(o + '_b', self.rng.randn(nout) * 0.1)
        kw = {'transB': 1}
        if self.legacy:
            kw['broadcast'] = 1
        self.node('Gemm', [x, w, b], [o], **kw)
        return self.add(lambda e, method: e.__setitem__(o, e[x] @ self.T(w).T + self.T(b)), o)

    def softmax(self, x):
        o = self.uid('prob')
        self.node('Softmax', [x], [o])

        def fn(e, method):
            X = e[x]
            e[o] = torch.softmax(X.reshape(X.shape[0], -1), 1).reshape(X.shape)
        return self.add(fn, o)

    def shuffle(self, x, g):
        """ShuffleNet's channel shuffle: Reshape to 5-D, Transpose, Reshape back."""
        N, C, H, W = self.shape(x)
        y = self.reshape(x, [N, g, C // g, H, W])
        y = self.transpose(y, [0, 2, 1, 3, 4])
        return self.reshape(y, [N, C, H, W])

    # ---- output
    def model(self, out):
        outs = [helper.make_tensor_value_info(out, TensorProto.FLOAT, list(self.shape(out)))]
        ins = [helper.make_tensor_value_info('data_0', TensorProto.FLOAT, list(self.inshape))]
        for t in self.inits:  # IR 3: initializers must also be graph inputs
            ins.append(helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)))
        g = helper.make_graph(self.nodes, self.name, ins, outs, self.inits)
        m = helper.make_model(g, producer_name='onnx-caffe2', opset_imports=[helper.make_opsetid('', self.opset)])
        m.ir_version = 3
        onnx.checker.check_model(m)
        return m

    def forward(self, x, method='salinet'):
        e = {'data_0': x}
        for f in self.ops:
            f(e, method)
        return e


class ZooNet(CaffeNet):
    """Quirks of the real zoo files on top of CaffeNet: Dropout with a mask output, '/' in tensor names,
    BN spatial=1 (opsets 7/8), MaxPool storage_order (opset 8), Reshape [0,-1], mean-subtract Sub with
    broadcast/axis, a Gemm with a zero C followed by a broadcast Add bias, PRelu after Gemm, a Mul constant
    shared by two nodes."""

    def dropout_mask(self, x, ratio=0.5):
        o = self.uid('drop')
        kw = {'ratio': ratio}
        if self.legacy:
            kw['is_test'] = 1
        self.node('Dropout', [x], [o, '_' + o + '_mask'], **kw)
        return self.add(lambda e, method: e.__setitem__(o, e[x]), o)

    def sub_mean(self, x):
        C = self.shape(x)[1]
        o = self.uid('submean')
        vals = np.array([0.3, -0.2, 0.1])[:C]
        c = self.init(o + '_mean', vals if self.legacy else vals.reshape(C, 1, 1))
        self.node('Sub', [x, c], [o], **({'broadcast': 1, 'axis': 1} if self.legacy else {}))
        return self.add(lambda e, method: e.__setitem__(o, e[x] - self.T(c).reshape(1, C, 1, 1)), o)

    def gemm_nobias_addbc(self, x, nout):
        nin = self.shape(x)[1]
        o = self.uid('fcnb')
        w = self.init(o + '_w', self.rng.randn(nout, nin) * np.sqrt(2.0 / nin))
        z = self.init(o + '_zero', np.zeros((1, nout)))
        kw = {'transB': 1}
        if self.legacy:
            kw['broadcast'] = 1
        self.node('Gemm', [x, w, z], [o + '_g'], **kw)
        b = self.init(o + '_b', self.rng.randn(nout) * 0.1)
        self.node('Add', [o + '_g', b], [o], **({'broadcast': 1} if self.legacy else {}))
        return self.add(lambda e, method: e.__setitem__(o, e[x] @ self.T(w).T + self.T(b)), o)

    def shared_scale(self, xs):
        C = self.shape(xs[0])[1]
        vals = self.rng.uniform(0.5, 1.5, C)
        c = self.init(self.uid('shared') + '_c', vals if self.legacy else vals.reshape(C, 1, 1))
        outs = []
        for x in xs:
            o = self.uid('smul')
            self.node('Mul', [x, c], [o], **({'broadcast': 1, 'axis': 1} if self.legacy else {}))
            self.add(lambda e, method, x=x, o=o: e.__setitem__(o, e[x] * self.T(c).reshape(1, C, 1, 1)), o)
            outs.append(o)
        return outs

    def bn_spatial(self, x):
        o = self.bn(x)
        if self.opset in (7, 8):
            self.nodes[-1].attribute.append(helper.make_attribute('spatial', 1))
        return o

    def maxpool_so(self, x, k, s, p):
        o = self.maxpool(x, k, s, p)
        if self.opset == 8:
            self.nodes[-1].attribute.append(helper.make_attribute('storage_order', 0))
        return o

    def prelu2d(self, x):
        C = self.shape(x)[1]
        o = self.uid('prelufc')
        s = self.init(o + '_slope', self.rng.uniform(0.05, 0.5, C))
        self.node('PRelu', [x, s], [o], **({'consumed_inputs': [0, 0]} if self.opset < 6 else {}))
        return self.add(lambda e, method: e.__setitem__(o, torch.where(e[x] >= 0, e[x], e[x] * self.T(s))), o)


# ---- the networks (miniatures of the Caffe2 model zoo)

def c2_alexnet(n):
    """bvlc_alexnet: LRN after Relu, grouped convs, MaxPool with asymmetric pads, Reshape, Dropout, Gemm."""
    x = n.conv('data_0', 8, 5, s=2)
    x = n.lrn(n.relu(x))
    x = n.maxpool(x, 3, 2, [0, 0, 1, 1])
    x = n.lrn(n.relu(n.conv(x, 12, 3, p=1, group=2)))
    x = n.maxpool(x, 3, 2, [0, 0, 1, 1])
    x = n.relu(n.conv(x, 12, 3, p=1, group=2))
    x = n.reshape(x, [1, -1])
    x = n.dropout(n.relu(n.gemm(x, 24)))
    x = n.gemm(x, 10)
    return n.softmax(x)


def c2_vgg(n):
    """vgg16/19: 3x3 convs, 2x2 MaxPool, Flatten, Dropout, Gemm, Softmax."""
    x = n.relu(n.conv('data_0', 8, 3, p=1))
    x = n.relu(n.conv(x, 8, 3, p=1))
    x = n.maxpool(x, 2, 2)
    x = n.relu(n.conv(x, 12, 3, p=1))
    x = n.maxpool(x, 2, 2)
    x = n.flatten(x)
    x = n.dropout(n.relu(n.gemm(x, 16)))
    return n.softmax(n.gemm(x, 10))


def _inception(n, x, c1, c3r, c3, c5r, c5, cp, avg=False):
    b1 = n.relu(n.conv(x, c1, 1))
    b2 = n.relu(n.conv(n.relu(n.conv(x, c3r, 1)), c3, 3, p=1))
    b3 = n.relu(n.conv(n.relu(n.conv(x, c5r, 1)), c5, 5, p=2))
    pl = n.avgpool(x, 3, 1, 1) if avg else n.maxpool(x, 3, 1, 1)
    b4 = n.relu(n.conv(pl, cp, 1))
    return n.concat([b1, b2, b3, b4])


def c2_googlenet(n):
    """bvlc_googlenet: LRN after MaxPool, inception blocks (Concat of four branches, 3x3/1 pool branch)."""
    x = n.relu(n.conv('data_0', 8, 7, s=2, p=3))
    x = n.lrn(n.maxpool(x, 3, 2, [0, 0, 1, 1]))
    x = n.relu(n.conv(x, 8, 1))
    x = n.lrn(n.relu(n.conv(x, 12, 3, p=1)))
    x = n.maxpool(x, 3, 2, [0, 0, 1, 1])
    x = _inception(n, x, 4, 4, 6, 2, 3, 3)
    x = _inception(n, x, 4, 4, 6, 2, 3, 3, avg=True)
    x = n.maxpool(x, 3, 2, [0, 0, 1, 1])
    x = n.avgpool(x, 2, 1)
    x = n.dropout(x, 0.4)
    N, C, H, W = n.shape(x)
    x = n.reshape(x, [1, C * H * W])
    return n.softmax(n.gemm(x, 10))


def _fire(n, x, s, e):
    q = n.relu(n.conv(x, s, 1))
    return n.concat([n.relu(n.conv(q, e, 1)), n.relu(n.conv(q, e, 3, p=1))])


def c2_squeezenet(n):
    """squeezenet: fire modules (Concat of 1x1 and 3x3 expands), conv classifier, GlobalAveragePool, Softmax."""
    x = n.relu(n.conv('data_0', 8, 3, s=2))
    x = n.maxpool(x, 3, 2, [0, 0, 1, 1])
    x = _fire(n, x, 4, 6)
    x = _fire(n, x, 4, 6)
    x = n.maxpool(x, 3, 2, [0, 0, 1, 1])
    x = _fire(n, x, 6, 8)
    x = n.dropout(x)
    x = n.relu(n.conv(x, 10, 1))
    x = n.gap(x)
    return n.softmax(x)


def _bottleneck(n, x, mid, out, s=1, prelu=False):
    act = n.prelu if prelu else n.relu
    y = act(n.bn(n.conv(x, mid, 1, bias=False)))
    y = act(n.bn(n.conv(y, mid, 3, s=s, p=1, bias=False)))
    y = n.bn(n.conv(y, out, 1, bias=False))
    sc = x if (s == 1 and n.shape(x)[1] == out) else n.bn(n.conv(x, out, 1, s=s, bias=False))
    return act(n.sum([y, sc]))


def c2_resnet(n):
    """resnet50: BN + Caffe Scale (Mul/Add), bottlenecks joined by Sum, PRelu in one block, GAP, Reshape, Gemm."""
    x = n.conv('data_0', 8, 7, s=2, p=3, bias=False)
    x = n.relu(n.scale(n.bn(x)))
    x = n.maxpool(x, 3, 2, [0, 0, 1, 1])
    x = _bottleneck(n, x, 4, 8)
    x = _bottleneck(n, x, 6, 12, s=2, prelu=True)
    x = n.gap(x)
    x = n.reshape(x, [1, 12])
    return n.softmax(n.gemm(x, 10))


def c2_densenet(n):
    """densenet121: dense blocks (Concat of the block input and the new features), transition AveragePool,
    a 1x1 conv as the classifier ([1,10,1,1] logits, no Softmax)."""
    x = n.conv('data_0', 8, 7, s=2, p=3, bias=False)
    x = n.relu(n.scale(n.bn(x)))
    x = n.maxpool(x, 3, 2, [1, 1, 1, 1])
    for _ in range(2):
        y = n.relu(n.scale(n.bn(x)))
        y = n.conv(y, 8, 1, bias=False)
        y = n.relu(n.scale(n.bn(y)))
        y = n.conv(y, 4, 3, p=1, bias=False)
        x = n.concat([x, y])
    x = n.relu(n.scale(n.bn(x)))
    x = n.conv(x, 8, 1, bias=False)
    x = n.avgpool(x, 2, 2)
    x = n.relu(n.scale(n.bn(x)))
    x = n.gap(x)
    return n.conv(x, 10, 1)


def c2_shufflenet(n):
    """shufflenet: grouped 1x1 convs, channel shuffle (Reshape 5-D / Transpose / Reshape), depthwise 3x3,
    Sum residual, stride-2 unit concatenated with an AveragePool, PRelu, Flatten, Gemm."""
    x = n.relu(n.conv('data_0', 12, 3, s=2, p=1))
    x = n.maxpool(x, 3, 2, 1)
    y = n.prelu(n.bn(n.conv(x, 12, 1, group=3, bias=False)))   # unit, stride 1
    y = n.shuffle(y, 3)
    y = n.bn(n.conv(y, 12, 3, p=1, group=12, bias=False))
    y = n.bn(n.conv(y, 12, 1, group=3, bias=False))
    x = n.relu(n.sum([x, y]))
    y = n.relu(n.bn(n.conv(x, 12, 1, group=3, bias=False)))   # unit, stride 2
    y = n.shuffle(y, 3)
    y = n.bn(n.conv(y, 12, 3, s=2, p=1, group=12, bias=False))
    y = n.bn(n.conv(y, 12, 1, group=3, bias=False))
    x = n.relu(n.concat([n.avgpool(x, 3, 2, 1), y]))
    x = n.gap(x)
    x = n.flatten(x)
    return n.softmax(n.gemm(x, 10))


def c2_zoo(n):
    """Mixed zoo quirks (see ZooNet)."""
    x = n.sub_mean('data_0')
    x = n.conv(x, 8, 3, s=2, p=1, name='conv1/7x7_s2_1')
    x = n.relu(n.bn_spatial(x))
    x = n.maxpool_so(x, 3, 2, [0, 0, 1, 1])
    a = n.conv(x, 4, 1, name='inception_3a/1x1_1')
    b = n.conv(x, 4, 3, p=1, name='inception_3a/3x3_1')
    a, b = n.shared_scale([a, b])
    x = n.relu(n.concat([a, b]))
    x = n.dropout_mask(x)
    x = n.reshape(x, [0, -1])
    x = n.prelu2d(n.gemm(x, 16))
    x = n.gemm_nobias_addbc(x, 10)
    return n.softmax(x)


CAFFE_NETS = {'alexnet': (c2_alexnet, (1, 3, 48, 48)), 'vgg': (c2_vgg, (1, 3, 32, 32)),
              'googlenet': (c2_googlenet, (1, 3, 32, 32)), 'squeezenet': (c2_squeezenet, (1, 3, 32, 32)),
              'resnet': (c2_resnet, (1, 3, 32, 32)), 'densenet': (c2_densenet, (1, 3, 32, 32)),
              'shufflenet': (c2_shufflenet, (1, 3, 32, 32)), 'zoo': (c2_zoo, (1, 3, 32, 32))}


def build_caffe(net, opset):
    """The ONNX model of one Caffe2 net at one opset, and its torch twin's forward(x, method) -> tensors."""
    fn, shape = CAFFE_NETS[net]
    n = ZooNet(net, opset, shape, 77) if net == 'zoo' else CaffeNet(net, opset, shape, sum(map(ord, net)))
    out = fn(n)
    return n.model(out), n.forward


# =====================================================================================================
# The models and their cases
# =====================================================================================================
# Each case: (alias, method, start, use_yx). The channel is picked by the script (the first stable one in a
# fixed pseudo-random order); with use_yx the start is the single position of the channel's largest
# |activation|. Aliases: lower-cased op type + 1-based index among the nodes of that op type.

TF_MODELS = [
    # name, builder, input H x W
    ('tf_nhwc_mbv2_block_op13', tf_mobilenetv2_block, (32, 32), [
        ('add4', 'salinet', 'ones', False),          # residual Add
        ('clip1', 'deconvnet', 'activation', False),  # ReLU6 as Clip(min, max inputs)
        ('conv2', 'desalinet', 'activation', True),   # depthwise SAME conv
        ('relu1', 'salinet', 'activation', True)]),
    ('tf_nhwc_pad_valid_maxpool_op11', tf_pad_valid_maxpool, (31, 31), [
        ('conv1', 'deconvnet', 'activation', False),  # Pad + VALID s2 after NHWC Mul/Add + Transpose
        ('maxpool1', 'desalinet', 'activation', True),  # MaxPool SAME_UPPER
        ('cast1', 'salinet', 'ones', False),          # Clip -> Cast
        ('add2', 'salinet', 'activation', False)]),   # logits after NHWC ReduceMean
    ('tf_nhwc_odd_branches_op13', tf_odd_branches, (33, 33), [
        ('cast1', 'salinet', 'ones', True),           # right after the input Transpose to NCHW
        ('relu2', 'deconvnet', 'activation', False),  # after the Add of the 1x1 and depthwise branches
        ('conv4', 'desalinet', 'activation', False),  # after ZeroPadding2D Pad + VALID s2
        ('reducemean1', 'salinet', 'ones', False)]),
    ('tf_nhwc_even_kernels_bn_op11', tf_even_kernels_bn, (32, 32), [
        ('batchnormalization1', 'salinet', 'ones', False),  # after even-kernel SAME convs
        ('maxpool1', 'deconvnet', 'activation', False),     # 2x2 s2 SAME MaxPool after Clip
        ('relu2', 'desalinet', 'activation', True),         # dilated conv
        ('add1', 'salinet', 'activation', False)]),         # logits through NHWC flatten
    ('tf_nhwc_dynbatch_midtranspose_op13', tf_dynbatch_midtranspose, (24, 40), [
        ('transpose3', 'salinet', 'ones', False),     # the Transpose back to NCHW mid-network
        ('maxpool1', 'deconvnet', 'activation', False),  # right after it
        ('relu2', 'desalinet', 'activation', True),   # residual of 1x1 s2 and 3x3 s2 SAME
        ('add3', 'salinet', 'ones', False)]),         # logits
    ('tf_nhwc_dynamic_reflectpad_op11', tf_dynamic_reflectpad, (29, 36), [
        ('relu1', 'deconvnet', 'activation', False),  # after reflect Pad + VALID 5x5
        ('pad2', 'salinet', 'ones', False),           # edge Pad
        ('relu2', 'desalinet', 'activation', True),
        ('add2', 'salinet', 'activation', False)]),
]

CAFFE_MODELS = [
    # net, opset, cases
    ('alexnet', 3, [('lrn2', 'salinet', 'activation', False),     # LRN: exact in SaliNet
                    ('maxpool2', 'deconvnet', 'activation', False),  # LRN passed through, unpooling by switches
                    ('relu3', 'desalinet', 'ones', True)]),
    ('vgg', 3, [('relu3', 'deconvnet', 'activation', False),
                ('maxpool2', 'desalinet', 'activation', True),
                ('gemm1', 'salinet', 'activation', False)]),
    ('googlenet', 3, [('concat1', 'salinet', 'ones', False),       # inception Concat
                      ('concat2', 'desalinet', 'activation', False),  # Concat after an AveragePool branch
                      ('lrn2', 'deconvnet', 'activation', True)]),
    ('googlenet', 6, [('concat2', 'salinet', 'activation', False),
                      ('maxpool3', 'deconvnet', 'activation', False)]),
    ('squeezenet', 3, [('concat2', 'deconvnet', 'activation', False),  # fire module
                       ('maxpool2', 'salinet', 'ones', True),
                       ('globalaveragepool1', 'desalinet', 'activation', False)]),
    ('resnet', 3, [('sum1', 'salinet', 'ones', False),             # bottleneck Sum (identity shortcut)
                   ('relu4', 'deconvnet', 'activation', False),
                   ('sum2', 'desalinet', 'activation', True)]),    # projection shortcut, PRelu branch
    ('resnet', 6, [('sum2', 'salinet', 'activation', False),
                   ('prelu3', 'salinet', 'ones', True)]),
    ('densenet', 3, [('concat2', 'salinet', 'activation', False),   # dense-block Concat
                     ('averagepool1', 'deconvnet', 'activation', False),
                     ('conv4', 'desalinet', 'ones', True)]),
    ('shufflenet', 3, [('reshape2', 'salinet', 'ones', False),      # right after the 5-D channel-shuffle Transpose
                       ('sum1', 'desalinet', 'activation', False),
                       ('concat1', 'deconvnet', 'activation', True)]),
    ('zoo', 3, [('concat1', 'salinet', 'activation', False),        # shared-constant Mul branches
                ('relu2', 'deconvnet', 'activation', True),
                ('maxpool1', 'desalinet', 'activation', False)]),
]


def aliases(model):
    """alias -> (node, tensor, op), per the conformance README's rule."""
    count, out = {}, {}
    for node in model.graph.node:
        if node.op_type == 'Constant':
            continue
        count[node.op_type] = count.get(node.op_type, 0) + 1
        out[f'{node.op_type.lower()}{count[node.op_type]}'] = (node.name, node.output[0], node.op_type)
    return out


def backward_net(forward, x, tensor, channel, yx, method, start, nhwc):
    """The input-side result of `method` started at tensor[:, channel] (or only [:, channel, y, x]), float64,
    NCHW [1,C,H,W]. The start signal G holds 1 or the activation at the selected entries; the result is the
    gradient of sum(G * T) under the method's backward rules (SaliNet: the plain gradient)."""
    X = torch.from_numpy(x.astype(np.float64)).requires_grad_(True)
    T = forward(X, method)[tensor]
    sel = (slice(None), channel) + (tuple(yx) if yx is not None else ())
    G = torch.zeros_like(T)
    G[sel] = 1.0 if start == 'ones' else T[sel].detach()
    g, = torch.autograd.grad((G * T).sum(), X)
    g = g.numpy()
    return g.transpose(0, 3, 1, 2) if nhwc else g


def stable(forward, x, tensor, channel, yx, method, start, nhwc, expected, seed):
    """No ReLU / Clip / MaxPool decision of the case sits near a tie: for three random directions r, the
    inputs x * (1 +- 1e-5 r) give results whose second difference e(+) + e(-) - 2 e stays below 1e-5 of |e|
    (a smooth change is O(1e-10) there; a gate or pooling switch that flips shows up as a jump)."""
    rng = np.random.default_rng(seed)
    x64 = x.astype(np.float64)
    for _ in range(3):
        r = 1e-5 * rng.standard_normal(x.shape)
        plus = backward_net(forward, x64 * (1 + r), tensor, channel, yx, method, start, nhwc)
        minus = backward_net(forward, x64 * (1 - r), tensor, channel, yx, method, start, nhwc)
        if np.linalg.norm(plus + minus - 2 * expected) > 1e-5 * np.linalg.norm(expected):
            return False
    return True


def make_cases(name, model, forward, x, specs, nhwc, manifest, input_rel):
    table = aliases(model)
    with torch.no_grad():
        env = forward(torch.from_numpy(x.astype(np.float64)), 'salinet')
    for alias, method, start, use_yx in specs:
        node, tensor, op = table[alias]
        # The Caffe2 nets name tensors like aliases ('relu4' is the second Relu's output). dnnvis resolves
        # a layer name as an alias first, so a case whose tensor name is another layer's alias would mean
        # two layers to a test that looks the layer up by its tensor name: pick another layer instead.
        if tensor in table and tensor != alias:
            raise ValueError(f'{name} {alias}: its tensor {tensor!r} is also the alias of another layer')
        T = env[tensor]
        seed = zlib.crc32(f'{name}/{alias}/{method}'.encode())
        order = np.random.default_rng(seed).permutation(T.shape[1])
        chosen = None
        for channel in order[:8]:
            channel = int(channel)
            yx = None
            if use_yx:
                yx = [int(v) for v in np.unravel_index(int(T[0, channel].abs().argmax()), T.shape[2:])]
            e = backward_net(forward, x, tensor, channel, yx, method, start, nhwc)
            if np.linalg.norm(e) < 1e-6 or not np.isfinite(e).all():
                continue
            if stable(forward, x, tensor, channel, yx, method, start, nhwc, e, seed):
                chosen = (channel, yx, e)
                break
            print(f'  {name} {alias} {method}: channel {channel} near a tie, skipped')
        if chosen is None:
            print(f'  {name} {alias} {method}: no stable channel, case dropped')
            continue
        channel, yx, e = chosen
        cid = f'{name}-{len(manifest):02d}-{method}'
        np.save(os.path.join(ROOT, 'expected', cid + '.npy'), e.astype(np.float32))
        case = {'id': cid, 'model': f'models/{name}.onnx', 'input': input_rel,
                'layer': {'tensor': tensor, 'node': node, 'op': op, 'alias': alias, 'shape': list(T.shape)},
                'method': method, 'start': start, 'pooling': 'switch', 'layout': 'NHWC' if nhwc else 'NCHW',
                'channel': channel}
        if yx is not None:
            case['yx'] = yx
        case['expected'] = f'expected/{cid}.npy'
        manifest.append(case)


def main():
    if os.path.isdir(ROOT):
        for sub in ('models', 'inputs', 'expected'):
            shutil.rmtree(os.path.join(ROOT, sub), ignore_errors=True)
    for sub in ('models', 'inputs', 'expected'):
        os.makedirs(os.path.join(ROOT, sub), exist_ok=True)
    cases = []

    for name, build, (H, W), specs in TF_MODELS:
        model = build()
        onnx.save(model, os.path.join(ROOT, 'models', name + '.onnx'))
        rng = np.random.default_rng(zlib.crc32(name.encode()))
        if build is tf_dynamic_reflectpad:  # raw 0..255 pixels, the model rescales them itself
            x = rng.uniform(0, 255, (1, H, W, 3)).astype(np.float32)
        else:
            x = rng.uniform(-2, 2, (1, H, W, 3)).astype(np.float32)
        input_rel = f'inputs/{name}.npy'
        np.save(os.path.join(ROOT, input_rel), x)
        make_cases(name, model, OnnxTwin(model).forward, x, specs, True, cases, input_rel)

    for net, opset, specs in CAFFE_MODELS:
        name = f'caffe2_{net}_op{opset}'
        model, forward = build_caffe(net, opset)
        onnx.save(model, os.path.join(ROOT, 'models', name + '.onnx'))
        shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
        input_rel = f'inputs/{name}.npy'
        rng = np.random.default_rng(shape[2])   # the nets of one size get the same input values
        x = rng.uniform(-2, 2, shape).astype(np.float32)
        np.save(os.path.join(ROOT, input_rel), x)
        make_cases(name, model, forward, x, specs, False, cases, input_rel)

    with open(os.path.join(ROOT, 'manifest.json'), 'w') as f:
        json.dump({'cases': cases}, f, indent=1)
        f.write('\n')
    print(f'{len(cases)} cases')


if __name__ == '__main__':
    main()
